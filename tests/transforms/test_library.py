import json
from pathlib import Path
from typing import Any

from transforms.library import library_status, render_html


def write_ledger(root: Path, name: str, records: list[dict[str, Any]], torn_tail: bool = False) -> None:
    path = root / "ledger" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_text(text + ('{"dataset": "cut sho' if torn_tail else ""), encoding="utf-8")


def submission(dataset: str | None, outcome: str, name: str, department: str = "agriculture", **extra: Any) -> dict:
    return {
        "department": department,
        "original_name": name,
        "received_at": "2026-12-01T09:00:00+00:00",
        "dataset": dataset,
        "outcome": outcome,
        "errors": 0,
        "report_path": None,
    } | extra


def test_each_dataset_shows_how_far_it_got(tmp_path: Path) -> None:
    write_ledger(
        tmp_path,
        "submissions.jsonl",
        [
            submission("csf-wild-boar", "accepted", "豚熱_1.csv"),
            submission("tourist-visitors", "accepted", "入込客数.xlsx", department="tourism"),
            submission("tourism-facilities", "accepted", "観光施設一覧.csv", department="tourism"),
        ],
    )
    write_ledger(
        tmp_path,
        "connect.jsonl",
        [
            {"dataset": "csf-wild-boar", "outcome": "curated", "version": "v1"},
            {"dataset": "csf-wild-boar-monthly", "outcome": "curated", "version": "m1"},
            {"dataset": "tourist-visitors-monthly", "outcome": "blocked"},
        ],
    )
    write_ledger(tmp_path, "publish.jsonl", [{"dataset": "csf-wild-boar", "outcome": "published", "rows": 3}], True)
    stages = {d.id: d.stage for d in library_status(tmp_path).datasets}
    known = {
        "csf-wild-boar": "published",
        "csf-wild-boar-monthly": "validated",
        "evacuation-sites": "waiting",
        "tourism-facilities": "stored",
        "tourist-visitors-by-region": "stored",
        "tourist-visitors-monthly": "blocked",
    }
    assert {dataset: stages[dataset] for dataset in known} == known


def test_rejections_are_listed_per_department_with_their_reports(tmp_path: Path) -> None:
    report = tmp_path / "quarantine" / "agriculture" / "x" / "report.html"
    write_ledger(
        tmp_path,
        "submissions.jsonl",
        [
            submission("csf-wild-boar", "rejected", "豚熱_差し戻し.csv", errors=3, report_path=str(report)),
            submission("csf-wild-boar", "accepted", "豚熱_1.csv"),
        ],
    )
    status = library_status(tmp_path)
    assert [(r.department_name, r.file, r.errors) for r in status.rejections] == [
        ("農林水産部", "豚熱_差し戻し.csv", 3)
    ]
    page = render_html(status, lambda path: "reports/x/report.html" if path else None)
    assert "差し戻した提出ファイル" in page and "農林水産部" in page
    assert '<a href="reports/x/report.html">確認結果レポート</a>' in page


def test_page_escapes_what_departments_wrote(tmp_path: Path) -> None:
    write_ledger(
        tmp_path,
        "submissions.jsonl",
        [submission("csf-wild-boar", "rejected", "<script>alert(1)</script>.csv", report_path="/nowhere")],
    )
    page = render_html(library_status(tmp_path), lambda path: None)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_times_are_shown_in_japan_time_and_the_file_in_use_is_named(tmp_path: Path) -> None:
    write_ledger(
        tmp_path,
        "submissions.jsonl",
        [
            submission("csf-wild-boar", "accepted", "豚熱_1.csv", received_at="2026-12-01T00:30:00+00:00"),
            submission("csf-wild-boar", "rejected", "豚熱_2.csv", received_at="2026-12-01T01:00:00+00:00"),
        ],
    )
    write_ledger(
        tmp_path,
        "publish.jsonl",
        [{"dataset": "csf-wild-boar", "outcome": "published", "time": "2026-12-01T10:05:00+09:00"}],
    )
    page = render_html(library_status(tmp_path), lambda path: None)
    assert "2026-12-01 10:00" in page and "2026-12-01 10:05" in page  # 01:00 UTC and +09:00, both as JST
    assert "使用中: 豚熱_1.csv（2026-12-01 09:30）" in page


def test_newest_inputs_stopped_at_validation_show_as_blocked_though_an_older_version_is_served(tmp_path: Path) -> None:
    write_ledger(tmp_path, "submissions.jsonl", [submission("csf-wild-boar", "accepted", "豚熱_2.csv")])
    write_ledger(
        tmp_path,
        "connect.jsonl",
        [
            {"dataset": "csf-wild-boar-monthly", "outcome": "curated", "version": "m1"},
            {"dataset": "csf-wild-boar-monthly", "outcome": "failed", "version": "m2"},
        ],
    )
    write_ledger(
        tmp_path, "publish.jsonl", [{"dataset": "csf-wild-boar-monthly", "outcome": "published", "version": "m1"}]
    )
    (monthly,) = [d for d in library_status(tmp_path).datasets if d.id == "csf-wild-boar-monthly"]
    assert monthly.stage == "blocked"
    assert monthly.publish and monthly.publish.version == "m1"  # still shown as what CKAN serves


def test_a_rollback_still_serves_and_a_failed_publish_is_shown_beside_the_version_served(tmp_path: Path) -> None:
    write_ledger(tmp_path, "connect.jsonl", [{"dataset": "csf-wild-boar", "outcome": "curated", "version": "v2"}])
    write_ledger(
        tmp_path,
        "publish.jsonl",
        [
            {"dataset": "csf-wild-boar", "outcome": "published", "version": "v2", "rows": 5},
            {"dataset": "csf-wild-boar", "outcome": "rolled_back", "version": "v1", "rows": 4},
            {"dataset": "csf-wild-boar", "outcome": "failed", "version": "v2"},
        ],
    )
    (boar,) = [d for d in library_status(tmp_path).datasets if d.id == "csf-wild-boar"]
    assert boar.stage == "published" and boar.publish and boar.publish.version == "v1"
    page = render_html(library_status(tmp_path), lambda path: None)
    assert "前の版に戻した" in page and "公開に失敗" in page
