"""ためる: take a department's inbox file in, archive it unchanged, check it, and file the outcome.

Layout under the data root:
    inbox/<department>/<file>                 what departments drop (plus optional <file>.odl.json)
    archive/<sha256>/original<.ext>           the bytes exactly as received, written before anything else
    archive/<sha256>/manifest.json            every submission of those bytes (department, name, time, outcome…)
    raw/<dataset>/<sha256>.parquet            accepted submissions, normalised, contract columns
    raw/<dataset>/latest.json                 the latest accepted submission of the dataset
    quarantine/<department>/<stamp>_<sha8>_<name>/  rejected: report.json, report.html and the file
    ledger/submissions.jsonl                  one line per submission, for people and the UI
"""

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from transforms import reports, settings
from transforms.contracts import Department, SourceContract
from transforms.files import append_ledger_line, locked, write_atomically
from transforms.findings import error
from transforms.reference import Municipalities
from transforms.validate import CheckResult, check_file

SIDECAR_SUFFIX = ".odl.json"
SOURCE_ROW_COLUMN = "_source_row"  # the department's row number, kept beside the data for later reports


@dataclass
class Submission:
    department: str
    original_name: str
    received_at: str
    size: int
    sha256: str
    dataset: str | None
    outcome: str  # accepted | rejected | duplicate
    rows: int | None = None
    errors: int = 0
    warnings: int = 0
    raw_path: str | None = None
    report_path: str | None = None
    inbox_mtime_ns: int | None = None  # with name and size, tells a re-run from a resubmission


def _write_json(path: Path, data: Any) -> None:
    write_atomically(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive(path: Path, data_root: Path) -> tuple[str, Path]:
    """Copy the file unchanged under its sha256 (once per content); returns (sha256, archived copy)."""
    sha = sha256_of(path)
    archived = data_root / "archive" / sha / f"original{path.suffix.lower()}"
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
    folder = (data_root or settings.data_root()) / "inbox" / department
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


def _manifest(sha_dir: Path) -> list[dict[str, Any]]:
    path = sha_dir / "manifest.json"
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


def _quarantine(archived: Path, data_root: Path, submission: Submission, report: dict[str, Any]) -> Path:
    name = submission.original_name
    stamp = submission.received_at.replace(":", "").replace("-", "")[:15]
    folder = data_root / "quarantine" / submission.department / f"{stamp}_{submission.sha256[:8]}_{name}"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(archived, folder / name)
    _write_json(folder / "report.json", report)
    write_atomically(folder / "report.html", reports.render_html(report).encode("utf-8"))
    return folder / "report.html"


def _write_raw(result: CheckResult, data_root: Path, submission: Submission) -> Path:
    assert result.table is not None
    table = result.table.reset_index(names=SOURCE_ROW_COLUMN)
    target = data_root / "raw" / str(submission.dataset) / f"{submission.sha256}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    table.to_parquet(temporary, index=False)
    os.replace(temporary, target)
    _write_json(target.parent / "latest.json", asdict(submission) | {"raw_path": str(target)})
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
    data_root = data_root or settings.data_root()
    stat = path.stat()
    sha, archived = archive(path, data_root)
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
    with locked(data_root / "archive" / sha / ".lock"):
        earlier = _manifest(archived.parent)
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
            submission.report_path = str(_quarantine(archived, data_root, submission, report))
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
                submission.raw_path = str(_write_raw(result, data_root, submission))
            else:
                report = _report(submission, department, result, contract.title)
                submission.report_path = str(_quarantine(archived, data_root, submission, report))
        _write_json(archived.parent / "manifest.json", {"sha256": sha, "submissions": [*earlier, asdict(submission)]})
    _append_ledger(data_root, submission)
    _remove_from_inbox(path)
    return submission


def _patterns(department: Department, contracts: dict[str, SourceContract]) -> str:
    return "、".join(p for c in contracts.values() if c.department == department.id for p in c.file_patterns)


def _append_ledger(data_root: Path, submission: Submission) -> None:
    append_ledger_line(data_root, "submissions.jsonl", asdict(submission))


def _remove_from_inbox(path: Path) -> None:
    path.with_name(path.name + SIDECAR_SUFFIX).unlink(missing_ok=True)
    path.unlink(missing_ok=True)


def submit(source: Path, department: Department, dataset: str | None = None, data_root: Path | None = None) -> Path:
    """Put a file into a department's inbox as an upload would: sidecar first, then the file, atomically."""
    inbox = (data_root or settings.data_root()) / "inbox" / department.id
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
