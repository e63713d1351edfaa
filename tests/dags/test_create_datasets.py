"""Create DAGs: one per published contract, on its curated Asset, publishing a curated version for real."""

import json
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.dags.test_dag_integrity import DAGS_DIR
from transforms.contracts import load_published_contracts

CREATE_DAGS = DAGS_DIR / "create_datasets.py"


def test_one_create_dag_per_published_dataset_scheduled_on_its_curated_asset() -> None:
    bag = DagBag(dag_folder=str(CREATE_DAGS))
    contracts = load_published_contracts()
    assert set(bag.dag_ids) == {f"create_{name.replace('-', '_')}" for name in contracts}
    dag = bag.dags["create_csf_wild_boar_monthly"]
    assert "create" in dag.tags
    assert [asset.uri for asset in dag.timetable.asset_condition.objects] == ["odl://curated/csf-wild-boar-monthly"]
    task = dag.get_task("publish")
    assert [outlet.uri for outlet in task.outlets] == ["odl://published/csf-wild-boar-monthly"]
    assert [link.name for link in task.operator_extra_links] == ["CKAN"]
    assert task.retries >= 2


@pytest.mark.integration
def test_a_create_dag_run_publishes_the_curated_version_to_ckan(
    airflow_metadata_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ckan_stack: dict[str, str], prefix: str
) -> None:
    from urllib.parse import urlsplit

    from tests.transforms.publish.conftest import purge
    from tests.transforms.publish.curated import visitors_by_region, write_curated
    from transforms.publish.ckan_client import CkanClient
    from transforms.publish.datastore import DatastoreLoader

    ckan_url, datastore = urlsplit(ckan_stack["url"]), urlsplit(ckan_stack["datastore_write_url"])
    connections = {
        "CKAN_DEFAULT": {
            "conn_type": "http",
            "host": ckan_url.hostname,
            "port": ckan_url.port,
            "schema": "http",
            "password": ckan_stack["api_token"],
        },
        "CKAN_DATASTORE": {
            "conn_type": "postgres",
            "host": datastore.hostname,
            "port": datastore.port,
            "login": datastore.username,
            "password": datastore.password,
            "schema": datastore.path.lstrip("/"),
        },
    }
    for name, value in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{name}", json.dumps(value))
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    monkeypatch.setenv("ODL_CKAN_NAME_PREFIX", prefix)
    version = write_curated(tmp_path, "tourist-visitors-by-region", visitors_by_region(2))
    ckan = CkanClient(ckan_stack["url"], ckan_stack["api_token"])
    try:
        dag = DagBag(dag_folder=str(CREATE_DAGS)).dags["create_tourist_visitors_by_region"]
        run = dag.test()
        assert run.state == "success"
        package = ckan.call("package_show", {"id": f"{prefix}tourist-visitors-by-region"})
        assert package["version"] == version
        ledger = [json.loads(line) for line in (tmp_path / "ledger" / "publish.jsonl").read_text().splitlines()]
        assert [(e["dataset"], e["outcome"], e["version"]) for e in ledger] == [
            ("tourist-visitors-by-region", "published", version)
        ]

        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        with create_session() as session:
            links = {
                row.key: row.value
                for row in session.query(XComModel).filter(
                    XComModel.run_id == run.run_id, XComModel.dag_id == dag.dag_id
                )
            }
        assert ledger[0]["ckan_url"] in str(links["_link_CkanDatasetLink"])  # the extra link the UI shows
    finally:
        purge(ckan, DatastoreLoader(ckan_stack["datastore_write_url"]), prefix)
