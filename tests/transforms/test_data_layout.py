"""transforms/data_layout.py: every path under the data root, and ledger lines that read back as they were written."""

import json
from pathlib import Path

import pytest

from transforms import data_layout as ledgers
from transforms.data_layout import DataLayout

SUBMISSION = ledgers.Submission(
    department="agriculture",
    original_name="豚熱.csv",
    received_at="2026-12-01T09:00:00+00:00",
    size=120,
    sha256="ab" * 32,
    dataset="csf-wild-boar",
    outcome="accepted",
    rows=3,
    raw_path="/data/raw/csf-wild-boar/x.parquet",
    inbox_mtime_ns=17,
)
CONNECT_LINE = ledgers.ConnectLine(
    dataset="csf-wild-boar-monthly",
    run="20261201T090000000000Z",
    at="2026-12-01T09:00:00+00:00",
    outcome="blocked",
    inputs={"csf-wild-boar": "ab" * 32},
    reason={"code": "join_blocked", "ja": "結合できません", "en": "join blocked"},
    join=[{"input": "csf-wild-boar", "column": "市町名", "rows": 3, "matched_rows": 2}],
)
PUBLISHED = ledgers.PublishLine(
    dataset="csf-wild-boar",
    version="0123456789abcdef",
    rows=3,
    outcome="published",
    ckan_url="http://ckan/dataset/csf-wild-boar",
    time="2026-12-01T18:00:00+09:00",
    finished_at="2026-12-01T18:00:00+09:00",
    seconds=1.25,
    change={"version": "0123456789abcdef", "added": 3},
)
FAILED = ledgers.PublishFailure(
    dataset="csf-wild-boar",
    ckan_url="http://ckan/dataset/csf-wild-boar",
    time="2026-12-01T18:05:00+09:00",
    finished_at="2026-12-01T18:05:00+09:00",
    error="ConnectionError: CKAN is away",
)


def test_paths_are_the_documented_folders_under_the_root(tmp_path: Path) -> None:
    layout = DataLayout(tmp_path)
    assert layout.inbox_dir("agriculture") == tmp_path / "inbox" / "agriculture"
    assert layout.archived_original("ab", ".CSV") == tmp_path / "archive" / "ab" / "original.csv"
    assert layout.manifest("ab") == tmp_path / "archive" / "ab" / "manifest.json"
    assert layout.raw_dir("csf-wild-boar") == tmp_path / "raw" / "csf-wild-boar"
    assert layout.raw_file("csf-wild-boar", "ab") == tmp_path / "raw" / "csf-wild-boar" / "ab.parquet"
    assert layout.raw_latest("csf-wild-boar") == tmp_path / "raw" / "csf-wild-boar" / "latest.json"
    curated = tmp_path / "curated" / "csf-wild-boar-monthly"
    assert layout.curated_dir("csf-wild-boar-monthly") == curated
    assert layout.curated_file("csf-wild-boar-monthly", "v1") == curated / "v1.parquet"
    assert layout.curated_latest("csf-wild-boar-monthly") == curated / "latest.json"
    assert layout.validation_report("csf-wild-boar-monthly", "v1") == (
        curated / "v1.validation.json",
        curated / "v1.validation.html",
    )
    assert layout.failed_run_report("csf-wild-boar-monthly", "r1").html == curated / "failed" / "r1" / "report.html"
    assert layout.publish_lock("csf-wild-boar-monthly").parent == curated
    assert layout.rollback_marker("csf-wild-boar-monthly").parent == curated
    assert layout.ledger_file(ledgers.PUBLISHES) == tmp_path / "ledger" / "publish.jsonl"
    assert layout.samples_dir() == tmp_path / "samples"


def test_a_rejected_submission_is_filed_by_time_content_and_name(tmp_path: Path) -> None:
    folder = DataLayout(tmp_path).quarantine_dir(SUBMISSION)
    assert folder == tmp_path / "quarantine" / "agriculture" / "20261201T090000_abababab_豚熱.csv"
    assert DataLayout(tmp_path).quarantine_report(SUBMISSION).json == folder / "report.json"


def test_without_a_root_the_layout_is_under_odl_data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    assert DataLayout.at().root == tmp_path
    assert DataLayout.at(tmp_path / "elsewhere").root == tmp_path / "elsewhere"


def test_records_round_trip_through_their_ledgers(tmp_path: Path) -> None:
    layout = DataLayout(tmp_path)
    layout.append(ledgers.SUBMISSIONS, SUBMISSION)
    layout.append(ledgers.CONNECT_RUNS, CONNECT_LINE)
    layout.append(ledgers.PUBLISHES, PUBLISHED)
    layout.append(ledgers.PUBLISHES, FAILED)
    assert layout.read(ledgers.SUBMISSIONS) == [SUBMISSION]
    assert layout.read(ledgers.CONNECT_RUNS) == [CONNECT_LINE]
    assert layout.read(ledgers.PUBLISHES) == [PUBLISHED, FAILED]


def test_a_line_holds_its_records_fields_in_order_and_nothing_else(tmp_path: Path) -> None:
    layout = DataLayout(tmp_path)
    layout.append(ledgers.PUBLISHES, PUBLISHED)
    layout.append(ledgers.PUBLISHES, FAILED)
    published, failed = layout.ledger_file(ledgers.PUBLISHES).read_text(encoding="utf-8").splitlines()
    common = ["dataset", "version", "rows", "outcome", "ckan_url", "time", "finished_at"]
    assert list(json.loads(published)) == [*common, "seconds", "change"]
    assert list(json.loads(failed)) == [*common, "error"]
    assert '"ckan_url": "http://ckan/dataset/csf-wild-boar"' in published  # Japanese and URLs unescaped


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    layout = DataLayout(tmp_path)
    layout.append(ledgers.PUBLISHES, PUBLISHED)
    with layout.ledger_file(ledgers.PUBLISHES).open("a", encoding="utf-8") as handle:
        handle.write('{"dataset": "cut sho')
    assert layout.read(ledgers.PUBLISHES) == [PUBLISHED]


def test_missing_keys_take_defaults_unknown_keys_are_ignored_and_a_line_without_its_outcome_is_skipped(
    tmp_path: Path,
) -> None:
    layout = DataLayout(tmp_path)
    path = layout.ledger_file(ledgers.CONNECT_RUNS)
    path.parent.mkdir(parents=True)
    lines = [{"dataset": "a", "outcome": "curated", "version": "v1", "older_key": 1}, {"dataset": "b"}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert layout.read(ledgers.CONNECT_RUNS) == [ledgers.ConnectLine(dataset="a", outcome="curated", version="v1")]


def test_an_empty_data_root_has_empty_ledgers(tmp_path: Path) -> None:
    assert DataLayout(tmp_path).read(ledgers.SUBMISSIONS) == []
