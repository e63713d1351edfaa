"""Registers the create stage's extra link, so the Airflow UI shows "CKAN" on publish tasks."""

from airflow.plugins_manager import AirflowPlugin

from odl_airflow.create_tasks import CkanDatasetLink


class OdlCreatePlugin(AirflowPlugin):
    name = "odl_create"
    operator_extra_links = [CkanDatasetLink()]  # noqa: RUF012 (AirflowPlugin declares it as a list)
