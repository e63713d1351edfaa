"""A store DAG run on the real Airflow metadata DB with a hostile inbox (issue 20): every entry leaves the
inbox in one run, the good files are accepted and announced, and the run succeeds."""

import json
import os
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from tests.dags.test_dag_integrity import DAGS_DIR

VALID = "検体番号,捕獲年月日,市町名,検査結果\r\nB-1,令和6年4月1日,津市,陰性\r\n"
ALSO_VALID = "検体番号,捕獲年月日,市町名,検査結果\r\nB-2,令和6年4月2日,伊勢市,陽性\r\n"


@pytest.mark.integration
@pytest.mark.timeout(300)
def test_store_run_takes_good_files_and_quarantines_every_hostile_entry_leaving_nothing_in_the_inbox(
    airflow_metadata_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    inbox = tmp_path / "inbox" / "agriculture"
    inbox.mkdir(parents=True)
    long_name = "豚熱" + "あ" * 80 + ".csv"  # 250 bytes: no sidecar or quarantine folder could bear it
    (inbox / "豚熱_4月.csv").write_bytes(VALID.encode("cp932"))
    (inbox / "豚熱_壊れた指定.csv").write_bytes(VALID.replace("B-1", "B-9").encode("cp932"))
    (inbox / "豚熱_壊れた指定.csv.odl.json").write_text("{not json")
    (inbox / long_name).write_bytes(VALID.replace("津市", "名古屋市").encode("cp932"))
    (inbox / "豚熱_リンク.csv").symlink_to("/etc/passwd")
    os.mkfifo(inbox / "豚熱_パイプ.csv")
    (inbox / "豚熱_5月.csv").write_bytes(ALSO_VALID.encode("cp932"))
    windows_name = os.fsdecode("豚熱_6月.csv".encode("cp932"))  # from a Windows share: its name is no UTF-8
    (inbox / windows_name).write_bytes(VALID.replace("B-1", "B-6").encode("cp932"))
    order = ["豚熱_4月.csv", "豚熱_壊れた指定.csv", long_name, "豚熱_リンク.csv", "豚熱_パイプ.csv", "豚熱_5月.csv"]
    for position, name in enumerate([*order, windows_name]):
        moment = 1_700_000_000_000_000_000 + position
        os.utime(inbox / name, ns=(moment, moment), follow_symlinks=False)

    dag = DagBag(dag_folder=str(DAGS_DIR / "store_department_inboxes.py")).dags["store_agriculture"]
    run = dag.test()

    assert run.state == "success"
    assert list(inbox.iterdir()) == []
    ledger = [json.loads(line) for line in (tmp_path / "ledger" / "submissions.jsonl").read_text().splitlines()]
    assert [(entry["original_name"], entry["outcome"]) for entry in ledger] == [
        ("豚熱_4月.csv", "accepted"),
        ("豚熱_壊れた指定.csv", "rejected"),
        (long_name, "rejected"),
        ("豚熱_リンク.csv", "rejected"),
        ("豚熱_パイプ.csv", "rejected"),
        ("豚熱_5月.csv", "accepted"),
        ("豚熱_6月.csv", "accepted"),
    ]
    codes = {}
    for entry in ledger[1:5]:
        report = json.loads(Path(entry["report_path"]).with_name("report.json").read_text(encoding="utf-8"))
        codes[entry["original_name"]] = report["errors"][0]["code"]
    assert codes == {
        "豚熱_壊れた指定.csv": "sidecar_invalid",
        long_name: "unknown_municipality",
        "豚熱_リンク.csv": "symlink_refused",
        "豚熱_パイプ.csv": "not_a_regular_file",
    }
    # Every byte received is archived: the five regular files, the link and the FIFO had none to read.
    assert len(list((tmp_path / "archive").glob("*/original.csv"))) == 5
    assert b"root:" not in b"".join(path.read_bytes() for path in (tmp_path / "archive").glob("*/original.csv"))

    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = session.query(AssetEvent).filter(AssetEvent.source_run_id == run.run_id).all()
        announced = sorted(event.extra["original_name"] for event in events)
    assert announced == ["豚熱_4月.csv", "豚熱_5月.csv", "豚熱_6月.csv"]
