"""The publish task of the create DAGs: the work is in transforms.publish; this wires it to Airflow."""

from typing import Any

from airflow.sdk import BaseOperator, BaseOperatorLink
from airflow.sdk.bases.xcom import BaseXCom

from odl_airflow.connections import CKAN_CONN_ID, DATASTORE_CONN_ID

CKAN_URL_XCOM_KEY = "ckan_url"


class CkanDatasetLink(BaseOperatorLink):
    """ "CKAN" in the task's extra links: the dataset page the task published."""

    name = "CKAN"

    def get_link(self, operator: BaseOperator, *, ti_key: Any) -> str:
        url = BaseXCom.get_value(ti_key=ti_key, key=CKAN_URL_XCOM_KEY)
        return str(url) if url else ""


class PublishDatasetOperator(BaseOperator):
    """Publish the latest curated version of one dataset to CKAN (idempotent: the same version writes nothing)."""

    template_fields = ("dataset",)
    operator_extra_links = (CkanDatasetLink(),)
    ui_color = "#c8ecd0"

    def __init__(
        self,
        *,
        dataset: str,
        ckan_conn_id: str = CKAN_CONN_ID,
        datastore_conn_id: str = DATASTORE_CONN_ID,
        force: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.dataset = dataset
        self.ckan_conn_id = ckan_conn_id
        self.datastore_conn_id = datastore_conn_id
        self.force = force

    def execute(self, context: Any) -> dict[str, Any]:
        from dataclasses import asdict

        from odl_airflow.ckan_hook import CkanHook
        from odl_airflow.datastore_hook import DatastoreHook
        from transforms.publish.config import name_prefix
        from transforms.publish.publisher import Publisher, publish_dataset

        publisher = Publisher(
            CkanHook(self.ckan_conn_id).get_conn(),
            DatastoreHook(self.datastore_conn_id).get_conn(),
            name_prefix=name_prefix(),
        )
        # Pushed first: the link works even when a later step fails and the task is retried.
        context["ti"].xcom_push(key=CKAN_URL_XCOM_KEY, value=publisher.dataset_url(self.dataset))
        result = publish_dataset(publisher, self.dataset, force=self.force)
        self.log.info(
            "odl create: %s → %s (version=%s rows=%s) %s",
            self.dataset,
            result.outcome,
            result.version,
            result.rows,
            result.ckan_url,
        )
        return asdict(result)
