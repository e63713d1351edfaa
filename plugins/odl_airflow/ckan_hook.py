"""CKAN's Action API over the `ckan_default` Connection (http: host, port and schema make the URL; password = API token)."""

from typing import TYPE_CHECKING, Any

from airflow.sdk.bases.hook import BaseHook

from odl_airflow.connections import CKAN_CONN_ID

if TYPE_CHECKING:
    from transforms.publish.ckan_client import CkanClient


class CkanHook(BaseHook):
    """Builds a retrying `CkanClient` when asked, never at construction (DAG files parse without a Connection)."""

    conn_name_attr = "ckan_conn_id"
    default_conn_name = CKAN_CONN_ID
    conn_type = "http"
    hook_name = "CKAN"

    def __init__(self, ckan_conn_id: str = CKAN_CONN_ID, **client_options: Any) -> None:
        super().__init__()
        self.ckan_conn_id = ckan_conn_id
        self.client_options = client_options

    def base_url(self) -> str:
        connection = self.get_connection(self.ckan_conn_id)
        scheme = connection.schema or "http"
        port = f":{connection.port}" if connection.port else ""
        return f"{scheme}://{connection.host}{port}"

    def get_conn(self) -> "CkanClient":
        from transforms.publish.ckan_client import CkanClient

        connection = self.get_connection(self.ckan_conn_id)
        return CkanClient(self.base_url(), connection.password or None, **self.client_options)
