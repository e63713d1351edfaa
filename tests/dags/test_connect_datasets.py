"""Connect DAGs: one per published contract, scheduled on its inputs' raw Assets; a real run and a rerun."""

import json
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.dags.test_dag_integrity import DAGS_DIR
from tests.transforms.connect.conftest import csf_rows, put_raw, raw_table
from transforms.contracts import load_published_contracts

DAG_FILE = str(DAGS_DIR / "connect_datasets.py")


def test_one_connect_dag_per_published_dataset_on_its_inputs_raw_assets() -> None:
    bag = DagBag(dag_folder=DAG_FILE)
    contracts = load_published_contracts()
    assert set(bag.dag_ids) == {f"connect_{dataset.replace('-', '_')}" for dataset in contracts}
    for contract in contracts.values():
        dag = bag.dags[f"connect_{contract.id.replace('-', '_')}"]
        assert "connect" in dag.tags
        assert {asset.name for asset in dag.timetable.asset_condition.objects} == {
            f"raw/{name}" for name in contract.inputs
        }
        (task,) = dag.tasks
        assert [outlet.name for outlet in task.outlets] == [f"curated-from-{contract.id}"]


def curated_events(run_id: str) -> list[tuple[str, dict]]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = session.query(AssetEvent).filter(AssetEvent.source_run_id == run_id).all()
        return [(event.uri, event.extra) for event in events]


@pytest.mark.integration
def test_a_connect_run_curates_once_and_a_rerun_on_the_same_inputs_announces_nothing(
    airflow_metadata_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", csf_rows()), "f" * 64)
    dag = DagBag(dag_folder=DAG_FILE).dags["connect_csf_wild_boar_monthly"]

    first = dag.test()
    assert first.state == "success"
    folder = tmp_path / "curated" / "csf-wild-boar-monthly"
    latest = json.loads((folder / "latest.json").read_text(encoding="utf-8"))
    assert Path(latest["path"]).exists() and Path(latest["report_html"]).exists()
    assert curated_events(first.run_id) == [
        (
            "odl://curated/csf-wild-boar-monthly",
            {"version": latest["version"], "rows": 3, "inputs": {"csf-wild-boar": "f" * 64}},
        )
    ]

    second = dag.test()
    assert second.state == "success"
    assert curated_events(second.run_id) == []
    assert sorted(path.name for path in folder.glob("*.parquet")) == [f"{latest['version']}.parquet"]
    outcomes = [
        json.loads(line)["outcome"] for line in (tmp_path / "ledger" / "connect.jsonl").read_text().splitlines()
    ]
    assert outcomes == ["curated", "unchanged"]


@pytest.mark.integration
def test_a_blocked_dataset_fails_its_run_without_curating(
    airflow_metadata_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    rows = csf_rows()
    rows[0]["市町名"] = "名古屋市"
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", rows), "0" * 64)
    dag = DagBag(dag_folder=DAG_FILE).dags["connect_csf_wild_boar"]

    run = dag.test()

    assert run.state == "failed"
    assert curated_events(run.run_id) == []
    assert not (tmp_path / "curated" / "csf-wild-boar" / "latest.json").exists()
    (ti,) = run.get_task_instances()
    assert ti.try_number == 1  # no retry: the same data would be blocked again
    assert len(list((tmp_path / "curated" / "csf-wild-boar" / "failed").glob("*/report.html"))) == 1
