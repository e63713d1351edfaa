"""A connect run on files: curated versions, unchanged reruns, blocked and failed runs, reports and the ledger."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from tests.transforms.connect.conftest import csf_rows, put_raw, raw_table
from transforms.connect.run import connect_dataset

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def ledger(data_root: Path) -> list[dict]:
    path = data_root / "ledger" / "connect.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", csf_rows()), "a" * 64)
    return tmp_path


def test_a_run_writes_a_version_its_reports_and_latest(data_root: Path) -> None:
    run = connect_dataset("csf-wild-boar-monthly", data_root, now=NOW)

    folder = data_root / "curated" / "csf-wild-boar-monthly"
    assert run.outcome == "curated" and run.rows == 3
    assert sorted(path.name for path in folder.iterdir() if not path.name.startswith(".")) == sorted(
        [f"{run.version}.parquet", f"{run.version}.validation.json", f"{run.version}.validation.html", "latest.json"]
    )
    latest = json.loads((folder / "latest.json").read_text(encoding="utf-8"))
    assert latest == {
        "dataset": "csf-wild-boar-monthly",
        "version": run.version,
        "rows": 3,
        "path": str(folder / f"{run.version}.parquet"),
        "created_at": "2026-04-01T09:00:00+00:00",
        "inputs": {"csf-wild-boar": "a" * 64},
        "report_html": str(folder / f"{run.version}.validation.html"),
        "report_json": str(folder / f"{run.version}.validation.json"),
        "join_quality": run.join_quality,
    }
    assert run.join_quality[0]["matched_rows"] == 6
    table = pd.read_parquet(folder / f"{run.version}.parquet")
    assert table["陽性頭数"].tolist() == [1, 1, 0]
    report = json.loads((folder / f"{run.version}.validation.json").read_text(encoding="utf-8"))
    assert report["outcome"] == "curated" and report["validation"]["success"]
    html = (folder / f"{run.version}.validation.html").read_text(encoding="utf-8")
    assert "陽性頭数が検査頭数以下" in html and "合格" in html
    assert [(line["outcome"], line["version"]) for line in ledger(data_root)] == [("curated", run.version)]


def test_the_same_inputs_give_the_same_version_and_nothing_new(data_root: Path, tmp_path_factory) -> None:
    first = connect_dataset("csf-wild-boar", data_root, now=NOW)
    folder = data_root / "curated" / "csf-wild-boar"
    files = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    again = connect_dataset("csf-wild-boar", data_root)

    assert (again.outcome, again.version) == ("unchanged", first.version)
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == files
    assert [line["outcome"] for line in ledger(data_root)] == ["curated", "unchanged"]
    # Elsewhere, from the same inputs: the same version and the same bytes.
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    put_raw(elsewhere, "csf-wild-boar", raw_table("csf-wild-boar", csf_rows()), "b" * 64)
    other = connect_dataset("csf-wild-boar", elsewhere)
    assert other.version == first.version
    assert Path(other.path).read_bytes() == Path(first.path).read_bytes()


def test_a_run_that_died_before_its_ledger_line_is_curated_again_so_create_hears_of_it(data_root: Path) -> None:
    first = connect_dataset("csf-wild-boar", data_root, now=NOW)
    (data_root / "ledger" / "connect.jsonl").write_text("", encoding="utf-8")  # killed after latest.json

    again = connect_dataset("csf-wild-boar", data_root)
    assert (again.outcome, again.version) == ("curated", first.version)  # the task announces it this time
    assert connect_dataset("csf-wild-boar", data_root).outcome == "unchanged"


def test_a_changed_input_gives_a_new_version(data_root: Path) -> None:
    first = connect_dataset("csf-wild-boar", data_root, now=NOW)
    rows = csf_rows()
    rows[0]["備考"] = "わな捕獲"
    put_raw(data_root, "csf-wild-boar", raw_table("csf-wild-boar", rows), "c" * 64)
    second = connect_dataset("csf-wild-boar", data_root)

    assert second.outcome == "curated" and second.version != first.version
    latest = json.loads((data_root / "curated" / "csf-wild-boar" / "latest.json").read_text(encoding="utf-8"))
    assert (latest["version"], latest["inputs"]) == (second.version, {"csf-wild-boar": "c" * 64})


def test_an_unmatched_name_blocks_with_the_join_summary(tmp_path: Path) -> None:
    rows = csf_rows()
    rows[2]["市町名"] = "名古屋市"
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", rows), "d" * 64)
    run = connect_dataset("csf-wild-boar", tmp_path, now=NOW)

    folder = tmp_path / "curated" / "csf-wild-boar"
    assert run.outcome == "blocked"
    assert not (folder / "latest.json").exists() and not list(folder.glob("*.parquet"))
    assert run.reason["code"] == "join_blocked"
    assert "「名古屋市」1行（元の行 4）" in run.reason["ja"]
    assert "1 keys in 1 rows have no match" in run.reason["en"]
    report = json.loads(Path(run.report_json).read_text(encoding="utf-8"))
    assert Path(run.report_json).parent == folder / "failed" / run.run
    assert report["join_quality"][0]["unmatched"] == [{"key": "名古屋市", "rows": 1, "source_rows": [4]}]
    assert report["validation"] is None
    assert "名古屋市" in Path(run.report_html).read_text(encoding="utf-8")
    assert ledger(tmp_path)[0]["outcome"] == "blocked" and ledger(tmp_path)[0]["join"][0]["unmatched_rows"] == 1


def test_failed_validation_writes_no_version_and_names_the_failures(tmp_path: Path) -> None:
    rows = csf_rows()
    rows[1]["検体番号"] = rows[0]["検体番号"]  # a repeated key the store would reject, written here directly
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", rows), "e" * 64)
    run = connect_dataset("csf-wild-boar", tmp_path, now=NOW)

    assert run.outcome == "failed"
    assert run.failed_expectations == ["キー「検体番号」が重複しない"]
    assert run.report_html in run.reason["ja"] and run.report_html in run.reason["en"]
    assert not list((tmp_path / "curated" / "csf-wild-boar").glob("*.parquet"))
    report = json.loads(Path(run.report_json).read_text(encoding="utf-8"))
    (failed,) = [e for e in report["validation"]["expectations"] if not e["success"]]
    assert failed["source_rows"] == [2, 3] and failed["examples"] == ["B-1", "B-1"]
    assert "不合格" in Path(run.report_html).read_text(encoding="utf-8")


def test_a_missing_input_blocks(tmp_path: Path) -> None:
    run = connect_dataset("evacuation-sites", tmp_path, now=NOW)
    assert (run.outcome, run.reason["code"]) == ("blocked", "input_missing")
    assert Path(run.report_html).exists()
