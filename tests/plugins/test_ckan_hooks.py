"""The CKAN and DataStore hooks read their Connections when asked, never when built."""

import json

import pytest

from odl_airflow.ckan_hook import CkanHook
from odl_airflow.create_tasks import CkanDatasetLink, PublishDatasetOperator
from odl_airflow.datastore_hook import DatastoreHook

CKAN_CONN = {"conn_type": "http", "host": "ckan.internal", "port": 5000, "schema": "https", "password": "tok-123"}
DATASTORE_CONN = {
    "conn_type": "postgres",
    "host": "db",
    "port": 5433,
    "login": "ckan_default",
    "password": "p@ss/word",
    "schema": "datastore_default",
}


def test_hooks_build_nothing_until_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_CKAN_DEFAULT", raising=False)
    CkanHook()  # no Connection exists: constructing must still work (DAG files parse without one)
    DatastoreHook()


def test_ckan_hook_makes_the_url_from_host_port_and_scheme_and_keeps_the_token_out_of_repr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_CKAN_DEFAULT", json.dumps(CKAN_CONN))
    client = CkanHook().get_conn()
    assert client.url == "https://ckan.internal:5000"
    assert client.dataset_url("evacuation-sites") == "https://ckan.internal:5000/dataset/evacuation-sites"
    assert "tok-123" not in repr(client)


def test_datastore_hook_quotes_the_password_into_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_CKAN_DATASTORE", json.dumps(DATASTORE_CONN))
    hook = DatastoreHook()
    assert hook.url() == "postgresql://ckan_default:p%40ss%2Fword@db:5433/datastore_default"
    assert "p@ss" not in repr(hook.get_conn())


def test_a_datastore_connection_without_host_is_named_not_turned_into_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_CKAN_DATASTORE", json.dumps({**DATASTORE_CONN, "host": ""}))
    with pytest.raises(ValueError, match=r"ckan_datastore.*no host"):
        DatastoreHook().url()


def test_the_publish_operator_carries_the_ckan_link() -> None:
    operator = PublishDatasetOperator(task_id="publish", dataset="evacuation-sites")
    assert [link.name for link in operator.operator_extra_links] == ["CKAN"]
    assert isinstance(operator.operator_extra_links[0], CkanDatasetLink)
    assert operator.retries >= 0
