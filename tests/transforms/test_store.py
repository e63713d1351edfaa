"""Store without Airflow: archive first, recognise, file, and survive a re-run."""

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from transforms import store
from transforms.contracts import load_departments, load_source_contracts
from transforms.reference import load_municipalities

CONTRACTS = load_source_contracts()
AGRICULTURE = load_departments()["agriculture"]
GOOD = "検体番号,捕獲年月日,市町名,検査結果\r\nW1,R6.4.1,津市,陰性\r\n".encode("cp932")
BAD = "検体番号,捕獲年月日,市町名,検査結果\r\nW1,R6.4.1,名古屋市,陰性\r\n".encode("cp932")


def drop(data_root: Path, name: str, content: bytes) -> Path:
    path = data_root / "inbox" / "agriculture" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def process(data_root: Path, path: Path) -> store.Submission:
    when = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    return store.process_inbox_file(path, AGRICULTURE, CONTRACTS, load_municipalities(), data_root, now=when)


def test_accepted_file_is_archived_unchanged_and_written_raw(tmp_path: Path) -> None:
    submission = process(tmp_path, drop(tmp_path, "豚熱.csv", GOOD))
    assert submission.outcome == "accepted" and submission.rows == 1
    assert (tmp_path / "archive" / submission.sha256 / "original.csv").read_bytes() == GOOD
    manifest = json.loads((tmp_path / "archive" / submission.sha256 / "manifest.json").read_text())
    (entry,) = manifest["submissions"]
    assert {k: entry[k] for k in ("department", "original_name", "received_at", "size", "dataset", "outcome")} == {
        "department": "agriculture",
        "original_name": "豚熱.csv",
        "received_at": "2026-11-23T09:30:00+00:00",
        "size": len(GOOD),
        "dataset": "csf-wild-boar",
        "outcome": "accepted",
    }
    latest = json.loads((tmp_path / "raw" / "csf-wild-boar" / "latest.json").read_text())
    assert latest["sha256"] == submission.sha256 and Path(latest["raw_path"]).exists()
    assert not (tmp_path / "inbox" / "agriculture" / "豚熱.csv").exists()


def test_rejected_file_goes_to_quarantine_with_reports_and_is_still_archived(tmp_path: Path) -> None:
    submission = process(tmp_path, drop(tmp_path, "豚熱.csv", BAD))
    assert submission.outcome == "rejected" and submission.errors == 1
    report_html = Path(str(submission.report_path))
    report = json.loads(report_html.with_name("report.json").read_text())
    assert report["errors"][0]["code"] == "unknown_municipality" and report["file"] == "豚熱.csv"
    assert "名古屋市" in report_html.read_text(encoding="utf-8")
    assert (report_html.parent / "豚熱.csv").read_bytes() == BAD
    assert (tmp_path / "archive" / submission.sha256 / "original.csv").read_bytes() == BAD
    assert not (tmp_path / "raw").exists()


def test_same_content_again_is_a_duplicate_with_no_new_raw_version(tmp_path: Path) -> None:
    first = process(tmp_path, drop(tmp_path, "豚熱.csv", GOOD))
    again = process(tmp_path, drop(tmp_path, "豚熱_再送.csv", GOOD))
    assert (first.outcome, again.outcome) == ("accepted", "duplicate")
    assert len(list((tmp_path / "raw" / "csf-wild-boar").glob("*.parquet"))) == 1
    manifest = json.loads((tmp_path / "archive" / first.sha256 / "manifest.json").read_text())
    assert [s["outcome"] for s in manifest["submissions"]] == ["accepted", "duplicate"]


def test_rerun_after_a_crash_before_the_inbox_copy_was_removed_files_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = drop(tmp_path, "豚熱.csv", GOOD)
    monkeypatch.setattr(store, "_remove_from_inbox", lambda path: None)  # the crash: the inbox copy stays
    first = process(tmp_path, path)
    monkeypatch.undo()
    second = process(tmp_path, path)
    assert second.outcome == first.outcome == "accepted"
    ledger = (tmp_path / "ledger" / "submissions.jsonl").read_text().splitlines()
    assert len(ledger) == 1
    assert not path.exists()


def test_unrecognisable_file_name_is_quarantined_with_the_patterns_to_use(tmp_path: Path) -> None:
    submission = process(tmp_path, drop(tmp_path, "data.csv", GOOD))
    assert submission.dataset is None and submission.outcome == "rejected"
    report = json.loads(Path(str(submission.report_path)).with_name("report.json").read_text())
    assert report["errors"][0]["code"] == "dataset_unknown"
    assert "*豚熱*" in report["errors"][0]["message"]


def test_a_sidecar_names_the_dataset_of_any_file_name(tmp_path: Path) -> None:
    path = drop(tmp_path, "data.csv", GOOD)
    path.with_name("data.csv.odl.json").write_text('{"dataset": "csf-wild-boar"}')
    assert process(tmp_path, path).outcome == "accepted"
    assert list((tmp_path / "inbox" / "agriculture").iterdir()) == []


def test_inbox_listing_skips_temporary_and_sidecar_files(tmp_path: Path) -> None:
    drop(tmp_path, ".豚熱.csv.tmp", GOOD)
    drop(tmp_path, "豚熱.csv.odl.json", b"{}")
    drop(tmp_path, "豚熱.csv", GOOD)
    assert [path.name for path in store.inbox_files("agriculture", tmp_path)] == ["豚熱.csv"]


# --- issue 20: nothing stays in the inbox to fail every run; the archive keeps every byte received ---


def quarantined_report(submission: store.Submission) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(Path(str(submission.report_path)).with_name("report.json").read_text())
    return report


def test_a_sidecar_that_is_no_json_quarantines_its_file_with_a_japanese_report(tmp_path: Path) -> None:
    path = drop(tmp_path, "豚熱.csv", GOOD)
    path.with_name("豚熱.csv.odl.json").write_bytes(b"\xff{not json")
    submission = process(tmp_path, path)
    assert (submission.outcome, submission.dataset, submission.errors) == ("rejected", None, 1)
    (finding,) = quarantined_report(submission)["errors"]
    assert (
        finding["code"] == "sidecar_invalid"
        and "「豚熱.csv.odl.json」を読めません（JSON ではありません）" in finding["message"]
    )
    assert (tmp_path / "archive" / submission.sha256 / "original.csv").read_bytes() == GOOD
    assert list((tmp_path / "inbox" / "agriculture").iterdir()) == []
    ledger = (tmp_path / "ledger" / "submissions.jsonl").read_text().splitlines()
    assert json.loads(ledger[0])["outcome"] == "rejected"


@pytest.mark.parametrize("content", [b"[]", b'{"dataset": 7}', b"{}"])
def test_a_sidecar_without_a_dataset_name_is_invalid_too(tmp_path: Path, content: bytes) -> None:
    path = drop(tmp_path, "豚熱.csv", GOOD)
    path.with_name("豚熱.csv.odl.json").write_bytes(content)
    submission = process(tmp_path, path)
    assert quarantined_report(submission)["errors"][0]["code"] == "sidecar_invalid"


def test_a_name_longer_than_its_quarantine_folder_allows_is_quarantined_under_a_short_one(tmp_path: Path) -> None:
    name = "豚熱" + "あ" * 80 + ".csv"  # 250 bytes: fits the inbox, not the quarantine folder's stamp and hash
    submission = process(tmp_path, drop(tmp_path, name, BAD))
    assert submission.outcome == "rejected" and submission.original_name == name
    report_html = Path(str(submission.report_path))
    assert all(len(part.encode()) <= 255 for part in report_html.parts)
    (copy,) = [p for p in report_html.parent.iterdir() if p.suffix == ".csv"]
    assert copy.read_bytes() == BAD and copy.name.startswith("豚熱あ")
    assert quarantined_report(submission)["file"] == name
    assert list((tmp_path / "inbox" / "agriculture").iterdir()) == []


def test_a_symlink_in_the_inbox_is_moved_to_quarantine_never_followed(tmp_path: Path) -> None:
    link = tmp_path / "inbox" / "agriculture" / "豚熱.csv"
    link.parent.mkdir(parents=True)
    link.symlink_to("/etc/passwd")
    assert [path.name for path in store.inbox_files("agriculture", tmp_path)] == ["豚熱.csv"]
    submission = process(tmp_path, link)
    assert (submission.outcome, submission.sha256) == ("rejected", "")
    assert quarantined_report(submission)["errors"][0]["code"] == "symlink_refused"
    moved = Path(str(submission.report_path)).with_name("豚熱.csv")
    assert moved.is_symlink() and str(moved.readlink()) == "/etc/passwd"
    assert not (tmp_path / "archive").exists() or not list((tmp_path / "archive").glob("*/original*"))
    assert not os.path.lexists(link)


@pytest.mark.timeout(30)
def test_a_fifo_in_the_inbox_is_moved_to_quarantine_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "inbox" / "agriculture" / "豚熱.csv"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)  # opened for reading it would block forever: nobody writes to it
    submission = process(tmp_path, fifo)
    report = quarantined_report(submission)
    assert report["errors"][0]["code"] == "not_a_regular_file"
    assert "名前付きパイプ（FIFO）" in report["errors"][0]["message"]
    assert stat.S_ISFIFO(Path(str(submission.report_path)).with_name("豚熱.csv").lstat().st_mode)
    assert list(fifo.parent.iterdir()) == []


def test_anything_unexpected_quarantines_the_file_with_store_failed_and_the_next_file_goes_on(tmp_path: Path) -> None:
    broken = drop(tmp_path, "豚熱_1.csv", BAD)
    (tmp_path / "archive" / store.sha256_of(broken)).mkdir(parents=True)
    (tmp_path / "archive" / store.sha256_of(broken) / "manifest.json").write_text("{cut short")  # a crash left it
    failed = process(tmp_path, broken)
    assert failed.outcome == "rejected"
    (finding,) = quarantined_report(failed)["errors"]
    assert finding["code"] == "store_failed" and "JSONDecodeError" in finding["message"]
    assert "受け取ったファイルは保管してあります" in finding["message"]
    assert (tmp_path / "archive" / failed.sha256 / "original.csv").read_bytes() == BAD
    assert process(tmp_path, drop(tmp_path, "豚熱_2.csv", GOOD)).outcome == "accepted"
    assert list((tmp_path / "inbox" / "agriculture").iterdir()) == []


def test_dot_files_are_uploads_in_progress_and_stay_out_of_the_listing(tmp_path: Path) -> None:
    drop(tmp_path, ".odl-submit.abc123", GOOD)
    drop(tmp_path, ".豚熱.csv", GOOD)
    assert store.inbox_files("agriculture", tmp_path) == []


def test_submit_writes_nothing_when_the_inbox_cannot_be_made(tmp_path: Path) -> None:
    source = tmp_path / "豚熱.csv"
    source.write_bytes(GOOD)
    (tmp_path / "data").write_text("a file where the data root's folder should be")
    with pytest.raises(store.Refused) as refused:
        store.submit(source, AGRICULTURE, "csf-wild-boar", tmp_path / "data")
    assert refused.value.finding.code == "inbox_unwritable"
    assert "提出先のフォルダに書き込めません" in refused.value.finding.message


def test_a_cp932_file_name_from_a_windows_share_is_read_as_japanese_and_taken_in(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "agriculture"
    inbox.mkdir(parents=True)
    raw_name = os.fsencode(inbox) + b"/" + "豚熱_4月.csv".encode("cp932")  # no valid UTF-8: Python sees surrogates
    Path(os.fsdecode(raw_name)).write_bytes(GOOD)
    (path,) = store.inbox_files("agriculture", tmp_path)
    submission = process(tmp_path, path)
    assert (submission.original_name, submission.outcome, submission.dataset) == (
        "豚熱_4月.csv",
        "accepted",
        "csf-wild-boar",
    )
    assert json.loads((tmp_path / "ledger" / "submissions.jsonl").read_text())["original_name"] == "豚熱_4月.csv"
    assert list(inbox.iterdir()) == []


def test_a_file_name_in_no_encoding_at_all_is_quarantined_not_left_behind(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "agriculture"
    inbox.mkdir(parents=True)
    Path(os.fsdecode(os.fsencode(inbox) + b"/\x81\x20\xff.csv")).write_bytes(BAD)
    (path,) = store.inbox_files("agriculture", tmp_path)
    submission = process(tmp_path, path)
    assert submission.outcome == "rejected" and "\ufffd" in submission.original_name
    assert Path(str(submission.report_path)).exists()
    assert list(inbox.iterdir()) == []


def test_a_sidecar_left_alone_is_taken_out_of_the_inbox_once_its_file_is_clearly_not_coming(tmp_path: Path) -> None:
    orphan = drop(tmp_path, "豚熱.csv.odl.json", b'{"dataset": "csf-wild-boar"}')
    drop(tmp_path, "報告.csv.odl.json", b'{"dataset": "csf-wild-boar"}')
    drop(tmp_path, "報告.csv", GOOD)
    later = orphan.stat().st_mtime
    assert store.inbox_files("agriculture", tmp_path, now=later + 60) == [orphan.with_name("報告.csv")]
    listed = store.inbox_files("agriculture", tmp_path, now=later + store.ORPHAN_SIDECAR_SECONDS + 1)
    assert orphan in listed
    submission = process(tmp_path, orphan)
    (finding,) = quarantined_report(submission)["errors"]
    assert finding["code"] == "reserved_name" and "末尾が .odl.json の名前は odl が使います" in finding["message"]
    assert (tmp_path / "archive" / submission.sha256 / "original.json").exists()
    assert not orphan.exists()


def test_a_file_the_store_may_not_read_is_moved_to_quarantine_with_a_report(tmp_path: Path) -> None:
    secret = drop(tmp_path, "豚熱.csv", GOOD)
    secret.chmod(0)
    # Root reads whatever it likes; without these capabilities it obeys file modes like the Airflow user.
    as_ordinary_user = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    script = (
        "import sys; from pathlib import Path; from tests.transforms import test_store as t; "
        "print(t.process(Path(sys.argv[1]), Path(sys.argv[2])).report_path)"
    )
    done = subprocess.run(
        [*as_ordinary_user, sys.executable, "-c", script, str(tmp_path), str(secret)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(Path(done.stdout.strip()).with_name("report.json").read_text())
    assert report["errors"][0]["code"] == "file_unreadable" and "権限がありません" in report["errors"][0]["message"]
    assert Path(done.stdout.strip()).with_name("豚熱.csv").exists() and not secret.exists()
