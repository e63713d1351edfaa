"""A store DAG run on the real Airflow metadata DB: valid, invalid and duplicate submissions."""

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.dags.test_dag_integrity import DAGS_DIR
from transforms.contracts import load_departments

VALID = "検体番号,捕獲年月日,市町名,検査結果,検査年月日\r\nB-1,令和6年4月1日,多気郡多気町,陰性,R6.4.3\r\nB-2,2024/4/2,津市,陽性,\r\n"
INVALID = "検体番号,捕獲年月日,市町名,検査結果\r\nC-1,令和6年2月30日,名古屋市,陰性\r\n"


def test_one_store_dag_per_department() -> None:
    bag = DagBag(dag_folder=str(DAGS_DIR / "store_department_inboxes.py"))
    expected = {f"store_{department.replace('-', '_')}" for department in load_departments()}
    assert set(bag.dag_ids) == expected


@pytest.mark.integration
def test_store_run_archives_all_files_accepts_one_rejects_one_and_recognises_the_duplicate(
    airflow_metadata_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    inbox = tmp_path / "inbox" / "agriculture"
    inbox.mkdir(parents=True)
    drops = {"豚熱_4月.csv": VALID, "豚熱_誤り.csv": INVALID, "豚熱_4月_再送.csv": VALID}
    for order, (name, text) in enumerate(drops.items()):
        (inbox / name).write_bytes(text.encode("cp932"))
        os.utime(inbox / name, ns=(1_700_000_000_000_000_000 + order, 1_700_000_000_000_000_000 + order))

    dag = DagBag(dag_folder=str(DAGS_DIR / "store_department_inboxes.py")).dags["store_agriculture"]
    run = dag.test()

    assert run.state == "success"
    assert list(inbox.iterdir()) == []
    archived = sorted(path.parent.name for path in (tmp_path / "archive").glob("*/original.csv"))
    assert len(archived) == 2
    ledger = [json.loads(line) for line in (tmp_path / "ledger" / "submissions.jsonl").read_text().splitlines()]
    assert [(entry["original_name"], entry["outcome"]) for entry in ledger] == [
        ("豚熱_4月.csv", "accepted"),
        ("豚熱_誤り.csv", "rejected"),
        ("豚熱_4月_再送.csv", "duplicate"),
    ]
    raw_files = list((tmp_path / "raw" / "csf-wild-boar").glob("*.parquet"))
    assert [path.stem for path in raw_files] == [ledger[0]["sha256"]]
    raw = pd.read_parquet(raw_files[0])
    assert raw["市町名"].tolist() == ["多気町", "津市"]
    assert raw["捕獲年月日"].tolist() == ["2024-04-01", "2024-04-02"]
    reports = list((tmp_path / "quarantine" / "agriculture").glob("*/report.html"))
    assert len(reports) == 1
    assert "名古屋市" in reports[0].read_text(encoding="utf-8")

    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = session.query(AssetEvent).filter(AssetEvent.source_run_id == run.run_id).all()
        announced = [(event.uri, event.extra) for event in events]
    assert announced == [
        ("odl://raw/csf-wild-boar", {"rows": 2, "sha256": ledger[0]["sha256"], "original_name": "豚熱_4月.csv"})
    ]
