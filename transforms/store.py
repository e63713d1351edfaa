"""ためる: take a department's inbox file in, archive it unchanged, check it, and file the outcome.

It reads inbox/ and writes archive/, raw/, quarantine/ and the submissions ledger, one `Submission`
per file (paths and records: transforms.data_layout).
"""

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from transforms import reports
from transforms.contracts import Department, SourceContract
from transforms.data_layout import SUBMISSIONS, DataLayout, Submission
from transforms.files import locked, write_atomically
from transforms.findings import error
from transforms.reference import Municipalities
from transforms.validate import CheckResult, check_file

SIDECAR_SUFFIX = ".odl.json"
SOURCE_ROW_COLUMN = "_source_row"  # the department's row number, kept beside the data for later reports


def _write_json(path: Path, data: Any) -> None:
    write_atomically(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive(path: Path, layout: DataLayout) -> tuple[str, Path]:
    """Copy the file unchanged under its sha256 (once per content); returns (sha256, archived copy)."""
    sha = sha256_of(path)
    archived = layout.archived_original(sha, path.suffix)
    if not archived.exists():
        archived.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=archived.parent, prefix=".original.", delete=False) as handle:
            with path.open("rb") as source:
                shutil.copyfileobj(source, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, archived)
        if sha256_of(archived) != sha:
            raise OSError(f"archive copy of {path} does not match its sha256")
    return sha, archived


def inbox_files(department: str, data_root: Path | None = None) -> list[Path]:
    """Files waiting in a department's inbox, oldest first; temporary and sidecar files are not submissions."""
    folder = DataLayout.at(data_root).inbox_dir(department)
    if not folder.is_dir():
        return []
    files = [
        path
        for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(".") and not path.name.endswith(SIDECAR_SUFFIX)
    ]
    return sorted(files, key=lambda path: (path.stat().st_mtime_ns, path.name))


def identify_dataset(path: Path, department: str, contracts: dict[str, SourceContract]) -> str | None:
    """The sidecar's dataset if any, else the one contract of the department whose file pattern matches."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.exists():
        dataset = json.loads(sidecar.read_text(encoding="utf-8")).get("dataset")
        return dataset if dataset in contracts and contracts[dataset].department == department else None
    matches = [c.id for c in contracts.values() if c.department == department and c.matches_filename(path.name)]
    return matches[0] if len(matches) == 1 else None


def _manifest(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["submissions"] if path.exists() else []


def _report(
    submission: Submission, department: Department, result: CheckResult | None, title: str | None
) -> dict[str, Any]:
    report = asdict(submission) | {
        "department_name": department.name,
        "dataset_title": title,
        "file": submission.original_name,
    }
    if result is not None:
        report |= {key: value for key, value in result.to_dict().items() if key not in ("file", "dataset")}
    return report


def _quarantine(archived: Path, layout: DataLayout, submission: Submission, report: dict[str, Any]) -> Path:
    folder, written = layout.quarantine_dir(submission), layout.quarantine_report(submission)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(archived, folder / submission.original_name)
    _write_json(written.json, report)
    write_atomically(written.html, reports.render_html(report).encode("utf-8"))
    return written.html


def _write_raw(result: CheckResult, layout: DataLayout, submission: Submission) -> Path:
    assert result.table is not None
    table = result.table.reset_index(names=SOURCE_ROW_COLUMN)
    target = layout.raw_file(str(submission.dataset), submission.sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    table.to_parquet(temporary, index=False)
    os.replace(temporary, target)
    _write_json(layout.raw_latest(str(submission.dataset)), asdict(submission) | {"raw_path": str(target)})
    return target


def process_inbox_file(
    path: Path,
    department: Department,
    contracts: dict[str, SourceContract],
    municipalities: Municipalities,
    data_root: Path | None = None,
    now: datetime | None = None,
) -> Submission:
    """Archive first, then recognise, check and file one inbox file; the inbox copy goes last."""
    layout = DataLayout.at(data_root)
    stat = path.stat()
    sha, archived = archive(path, layout)
    dataset = identify_dataset(path, department.id, contracts)
    submission = Submission(
        department=department.id,
        original_name=path.name,
        received_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        size=stat.st_size,
        sha256=sha,
        dataset=dataset,
        outcome="rejected",
        inbox_mtime_ns=stat.st_mtime_ns,
    )
    with locked(layout.archive_lock(sha)):
        earlier = _manifest(layout.manifest(sha))
        same_drop = [
            s
            for s in earlier
            if (s["original_name"], s["size"], s.get("inbox_mtime_ns")) == (path.name, stat.st_size, stat.st_mtime_ns)
            and s["department"] == department.id
        ]
        if same_drop:  # a re-run after a crash: this very drop was already filed
            _remove_from_inbox(path)
            return Submission(**same_drop[-1])
        if dataset is not None and any(s["dataset"] == dataset and s["outcome"] != "duplicate" for s in earlier):
            submission.outcome = "duplicate"
        elif dataset is None:
            report = _report(submission, department, None, None) | {
                "errors": [error("dataset_unknown", patterns=_patterns(department, contracts)).to_dict()],
                "warnings": [],
                "valid": False,
            }
            submission.errors = 1
            submission.report_path = str(_quarantine(archived, layout, submission, report))
        else:
            contract = contracts[dataset]
            result = check_file(archived, contract, municipalities)
            submission.rows, submission.errors, submission.warnings = (
                result.rows,
                len(result.errors),
                len(result.warnings),
            )
            if result.valid:
                submission.outcome = "accepted"
                submission.raw_path = str(_write_raw(result, layout, submission))
            else:
                report = _report(submission, department, result, contract.title)
                submission.report_path = str(_quarantine(archived, layout, submission, report))
        _write_json(layout.manifest(sha), {"sha256": sha, "submissions": [*earlier, asdict(submission)]})
    layout.append(SUBMISSIONS, submission)
    _remove_from_inbox(path)
    return submission


def _patterns(department: Department, contracts: dict[str, SourceContract]) -> str:
    return "、".join(p for c in contracts.values() if c.department == department.id for p in c.file_patterns)


def _remove_from_inbox(path: Path) -> None:
    path.with_name(path.name + SIDECAR_SUFFIX).unlink(missing_ok=True)
    path.unlink(missing_ok=True)


def submit(source: Path, department: Department, dataset: str | None = None, data_root: Path | None = None) -> Path:
    """Put a file into a department's inbox as an upload would: sidecar first, then the file, atomically."""
    inbox = DataLayout.at(data_root).inbox_dir(department.id)
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / source.name
    counter = 1
    while target.exists():
        target = inbox / f"{source.stem}_{counter}{source.suffix}"
        counter += 1
    if dataset:
        _write_json(target.with_name(target.name + SIDECAR_SUFFIX), {"dataset": dataset})
    write_atomically(target, source.read_bytes())
    return target
