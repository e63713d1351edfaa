"""ためる: take a department's inbox file in, archive it unchanged, check it, and file the outcome.

It reads inbox/ and writes archive/, raw/, quarantine/ and the submissions ledger, one `Submission`
per file (paths and records: transforms.data_layout).

No inbox entry is ever left to fail every run: a file the store cannot take in (its sidecar unreadable,
anything unexpected) is archived and quarantined with a report, and an entry that is no regular file
(a symbolic link, a FIFO, a device, a folder) is moved, never opened or followed, into quarantine.
Names starting with a dot are uploads in progress (this module's own temporaries among them): the store
leaves them alone, and `submit` never makes one (it submits `.name.csv` as `name.csv`).
"""

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from transforms import reports
from transforms.contracts import Department, SourceContract
from transforms.data_layout import SUBMISSIONS, DataLayout, Submission
from transforms.files import (
    NAME_MAX_BYTES,
    Refused,
    locked,
    open_regular_file,
    readable_name,
    reason_of,
    safe_file_name,
    write_atomically,
)
from transforms.findings import Finding, error
from transforms.reference import Municipalities
from transforms.validate import CheckResult, check_file

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".odl.json"
SOURCE_ROW_COLUMN = "_source_row"  # the department's row number, kept beside the data for later reports
# A submitted name's longest, in UTF-8 bytes: with a counter, a sidecar suffix, a temporary's prefix or the
# quarantine folder's stamp it still fits NAME_MAX (255).
SUBMITTED_NAME_MAX_BYTES = 200
# `odl submit` writes a sidecar a moment before its file; one still alone after this long never gets one.
ORPHAN_SIDECAR_SECONDS = 600


def _write_json(path: Path, data: Any) -> None:
    write_atomically(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive(source: BinaryIO, suffix: str, layout: DataLayout) -> tuple[str, Path]:
    """Copy the open file unchanged under its sha256 (once per content); returns (sha256, archived copy).

    The bytes are read once, hashed as they are copied, so what is archived is exactly what was hashed.
    """
    incoming = layout.root / "archive"
    incoming.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=incoming, prefix=".incoming.", delete=False) as handle:
        try:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            os.unlink(handle.name)
            raise
    sha = digest.hexdigest()
    archived = layout.archived_original(sha, suffix)
    if archived.exists():
        os.unlink(handle.name)
        return sha, archived
    archived.parent.mkdir(parents=True, exist_ok=True)
    os.replace(handle.name, archived)
    if sha256_of(archived) != sha:
        raise OSError(f"archive copy of {source.name!r} does not match its sha256")
    return sha, archived


def sidecar_of(path: Path) -> Path | None:
    """Where path's sidecar would be; None when its name would be too long for the file system to hold one."""
    name = path.name + SIDECAR_SUFFIX
    return path.with_name(name) if len(os.fsencode(name)) <= NAME_MAX_BYTES else None


def inbox_files(department: str, data_root: Path | None = None, now: float | None = None) -> list[Path]:
    """Entries waiting in a department's inbox, oldest first: every name but uploads in progress (a leading
    dot) and sidecars. Entries that are no regular file are listed too, so that the store moves them out,
    and so is a sidecar whose file has not come within ORPHAN_SIDECAR_SECONDS (dropped by hand, say)."""
    folder = DataLayout.at(data_root).inbox_dir(department)
    if not folder.is_dir():
        return []
    entries = []
    for entry in os.scandir(folder):
        if entry.name.startswith("."):
            continue
        try:
            modified = entry.stat(follow_symlinks=False).st_mtime_ns
        except FileNotFoundError:  # taken by another run meanwhile
            continue
        if entry.name.endswith(SIDECAR_SUFFIX):
            waited = (now or time.time()) - modified / 1e9
            if os.path.lexists(folder / entry.name.removesuffix(SIDECAR_SUFFIX)) or waited < ORPHAN_SIDECAR_SECONDS:
                continue
        entries.append((modified, entry.name))
    return [folder / name for _, name in sorted(entries)]


def identify_dataset(path: Path, department: str, contracts: dict[str, SourceContract]) -> str | None:
    """The sidecar's dataset if any, else the one contract of the department whose file pattern matches.

    A sidecar that is no JSON object with a text "dataset" is Refused (sidecar_invalid).
    """
    sidecar = sidecar_of(path)
    if sidecar is not None and (sidecar.exists() or sidecar.is_symlink()):
        dataset = _sidecar_dataset(sidecar)
        return dataset if dataset in contracts and contracts[dataset].department == department else None
    name = readable_name(path.name)
    matches = [c.id for c in contracts.values() if c.department == department and c.matches_filename(name)]
    return matches[0] if len(matches) == 1 else None


def _sidecar_dataset(sidecar: Path) -> str:
    try:
        with open_regular_file(str(sidecar), follow_symlinks=False) as handle:
            content = json.loads(handle.read(1 << 16).decode("utf-8"))
    except Refused as refused:
        raise Refused(str(refused), "sidecar_invalid", name=sidecar.name, detail=refused.finding.message) from refused
    except (UnicodeDecodeError, ValueError) as failure:
        detail = "JSON ではありません"
        raise Refused(f"{sidecar}: {failure}", "sidecar_invalid", name=sidecar.name, detail=detail) from failure
    dataset = content.get("dataset") if isinstance(content, dict) else None
    if not isinstance(dataset, str):
        detail = "「dataset」の指定がありません"
        raise Refused(f"{sidecar}: no text 'dataset'", "sidecar_invalid", name=sidecar.name, detail=detail)
    return dataset


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
    shutil.copyfile(archived, layout.quarantined_file(submission))
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
    """Archive first, then recognise, check and file one inbox entry; the inbox copy goes last.

    Whatever happens after the archive, the entry leaves the inbox: accepted, a duplicate, or quarantined
    with a report. Only when even quarantining fails (a full disk) does this raise, and the entry stays.
    """
    layout = DataLayout.at(data_root)
    received_at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    entry = path.lstat()
    submission = Submission(
        department=department.id,
        original_name=readable_name(path.name),
        received_at=received_at,
        size=entry.st_size,
        dataset=None,
        outcome="rejected",
        inbox_mtime_ns=entry.st_mtime_ns,
    )
    try:
        with open_regular_file(str(path), follow_symlinks=False) as handle:
            submission.sha256, archived = archive(handle, path.suffix, layout)
    except Refused as refused:
        return _set_aside(path, layout, submission, department, refused.finding)
    try:
        return _file_archived(path, archived, layout, submission, department, contracts, municipalities)
    except Exception as failure:
        if isinstance(failure, Refused):
            finding = failure.finding
        else:
            log.exception(
                "odl store: %s could not be processed; quarantined with store_failed", submission.original_name
            )
            finding = error("store_failed", detail=type(failure).__name__)
        return _quarantine_unprocessed(path, archived, layout, submission, department, finding)


def _file_archived(
    path: Path,
    archived: Path,
    layout: DataLayout,
    submission: Submission,
    department: Department,
    contracts: dict[str, SourceContract],
    municipalities: Municipalities,
) -> Submission:
    sha = submission.sha256
    if path.name.endswith(SIDECAR_SUFFIX):  # an orphan sidecar, or a file named like one
        raise Refused(f"{path.name}: reserved sidecar name", "reserved_name", name=path.name, suffix=SIDECAR_SUFFIX)
    dataset = submission.dataset = identify_dataset(path, department.id, contracts)
    with locked(layout.archive_lock(sha)):
        earlier = _manifest(layout.manifest(sha))
        drop = (submission.original_name, submission.size, submission.inbox_mtime_ns)
        same_drop = [
            s
            for s in earlier
            if (s["original_name"], s["size"], s.get("inbox_mtime_ns")) == drop and s["department"] == department.id
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


def _failure_report(submission: Submission, department: Department, finding: Finding) -> dict[str, Any]:
    return _report(submission, department, None, None) | {
        "errors": [finding.to_dict()],
        "warnings": [],
        "valid": False,
    }


def _quarantine_unprocessed(
    path: Path, archived: Path, layout: DataLayout, submission: Submission, department: Department, finding: Finding
) -> Submission:
    """An archived file the store could not file: quarantined with the reason, recorded, out of the inbox."""
    submission.outcome, submission.errors, submission.raw_path = "rejected", 1, None
    report = _failure_report(submission, department, finding)
    submission.report_path = str(_quarantine(archived, layout, submission, report))
    try:
        with locked(layout.archive_lock(submission.sha256)):
            earlier = _manifest(layout.manifest(submission.sha256))
            _write_json(
                layout.manifest(submission.sha256),
                {"sha256": submission.sha256, "submissions": [*earlier, asdict(submission)]},
            )
    except Exception:  # the manifest may be what failed; the ledger line and the report still say it all
        log.exception("odl store: manifest of %s not updated", submission.sha256)
    layout.append(SUBMISSIONS, submission)
    _remove_from_inbox(path)
    return submission


def _set_aside(
    path: Path, layout: DataLayout, submission: Submission, department: Department, finding: Finding
) -> Submission:
    """An entry the store may not open (no regular file, or unreadable): moved as it is into quarantine, never
    opened or followed, with a report. Nothing is archived, since nothing could be read."""
    submission.errors = 1
    folder = layout.quarantine_dir(submission)
    folder.mkdir(parents=True, exist_ok=True)
    os.rename(path, layout.quarantined_file(submission))
    written = layout.quarantine_report(submission)
    report = _failure_report(submission, department, finding)
    _write_json(written.json, report)
    write_atomically(written.html, reports.render_html(report).encode("utf-8"))
    submission.report_path = str(written.html)
    layout.append(SUBMISSIONS, submission)
    sidecar = sidecar_of(path)
    if sidecar is not None:
        sidecar.unlink(missing_ok=True)
    return submission


def _patterns(department: Department, contracts: dict[str, SourceContract]) -> str:
    return "、".join(p for c in contracts.values() if c.department == department.id for p in c.file_patterns)


def _remove_from_inbox(path: Path) -> None:
    sidecar = sidecar_of(path)
    if sidecar is not None:
        sidecar.unlink(missing_ok=True)
    path.unlink(missing_ok=True)


def submit(
    source: Path | str, department: Department, dataset: str | None = None, data_root: Path | None = None
) -> Path:
    """Put a file into a department's inbox as an upload would; returns where it went.

    Only a regular file is taken, never through a symbolic link, and under a safe, short name (no folders,
    no leading dot, at most SUBMITTED_NAME_MAX_BYTES, its extension and Japanese kept). Anything else is
    Refused with nothing written. The copy is made under a temporary dot-name the store ignores, then the
    sidecar (if any) is written, then the copy takes its name: the store never sees the file without it.
    """
    name = str(source)
    with open_regular_file(name, follow_symlinks=False) as handle:
        original = Path(name).name
        if original.endswith(SIDECAR_SUFFIX):
            raise Refused(f"{original}: reserved sidecar name", "reserved_name", name=original, suffix=SIDECAR_SUFFIX)
        safe = safe_file_name(original, SUBMITTED_NAME_MAX_BYTES) or f"提出ファイル{Path(original).suffix}"
        if safe.endswith(SIDECAR_SUFFIX):
            raise Refused(f"{safe}: reserved sidecar name", "reserved_name", name=original, suffix=SIDECAR_SUFFIX)
        inbox = DataLayout.at(data_root).inbox_dir(department.id)
        copy: str | None = None
        sidecar: Path | None = None
        try:
            inbox.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=inbox, prefix=".odl-submit.", delete=False) as temporary:
                copy = temporary.name
                shutil.copyfileobj(handle, temporary)
                temporary.flush()
                os.fsync(temporary.fileno())
            target = _free_inbox_name(inbox, safe)
            if dataset:
                sidecar = target.with_name(target.name + SIDECAR_SUFFIX)
                _write_json(sidecar, {"dataset": dataset})
            os.replace(copy, target)
        except OSError as failure:
            for leftover in (copy, sidecar):
                if leftover is not None:
                    Path(leftover).unlink(missing_ok=True)
            raise Refused(f"{inbox}: {failure}", "inbox_unwritable", detail=reason_of(failure)) from failure
    return target


def _free_inbox_name(inbox: Path, name: str) -> Path:
    """inbox/name, or name_1, name_2…: a name with neither a file nor a sidecar there already."""
    stem, suffix = Path(name).stem, Path(name).suffix
    target, counter = inbox / name, 1
    while target.exists() or target.is_symlink() or target.with_name(target.name + SIDECAR_SUFFIX).exists():
        target = inbox / f"{stem}_{counter}{suffix}"
        counter += 1
    return target
