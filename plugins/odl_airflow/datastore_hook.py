"""The CKAN DataStore database over the `ckan_datastore` Connection (postgres, as CKAN's write role)."""

from typing import TYPE_CHECKING
from urllib.parse import quote

from airflow.sdk.bases.hook import BaseHook

from odl_airflow.connections import DATASTORE_CONN_ID

if TYPE_CHECKING:
    from transforms.publish.datastore import DatastoreLoader


class DatastoreHook(BaseHook):
    """Builds the bulk loader (COPY + atomic swap) when asked; the password stays inside the loader."""

    conn_name_attr = "datastore_conn_id"
    default_conn_name = DATASTORE_CONN_ID
    conn_type = "postgres"
    hook_name = "CKAN DataStore"

    def __init__(self, datastore_conn_id: str = DATASTORE_CONN_ID) -> None:
        super().__init__()
        self.datastore_conn_id = datastore_conn_id

    def url(self) -> str:
        c = self.get_connection(self.datastore_conn_id)
        if not c.host:
            raise ValueError(f"the Airflow Connection {self.datastore_conn_id!r} has no host")
        credentials = quote(c.login or "", safe="") + (f":{quote(c.password, safe='')}" if c.password else "")
        return f"postgresql://{credentials}@{c.host}:{c.port or 5432}/{quote(c.schema or '', safe='')}"

    def get_conn(self) -> "DatastoreLoader":
        from transforms.publish.datastore import DatastoreLoader

        return DatastoreLoader(self.url())
