"""The Airflow Connection ids odl uses. docker-compose.yaml declares exactly these (AIRFLOW_CONN_<ID>)."""

CKAN_CONN_ID = "ckan_default"
"""CKAN's Action API (conn type http): host, port and scheme make the base URL, the password is the API token."""

DATASTORE_CONN_ID = "ckan_datastore"
"""The CKAN DataStore database as its writer (conn type postgres): the same role as CKAN's write_url."""
