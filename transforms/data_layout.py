"""The data root's folders and files, and the typed lines of its ledgers: the one module that spells them.

Under the data root (ODL_DATA_ROOT, ./data), `DataLayout(root)` names every path:

    inbox/<department>/<file>                         what departments drop (plus optional <file>.odl.json)
    archive/<sha256>/original<.ext>                   the bytes exactly as received, written before anything else
    archive/<sha256>/manifest.json                    every submission of those bytes (department, name, time, outcome…)
    raw/<dataset>/<sha256>.parquet                    accepted submissions, normalised, contract columns
    raw/<dataset>/latest.json                         the latest accepted submission of the dataset
    quarantine/<department>/<stamp>_<sha8>_<name>/    rejected: report.json, report.html and the file (or what
                                                      was in the inbox in its place: a link, a FIFO…)
    curated/<dataset>/<version>.parquet               a validated version; version = content hash
    curated/<dataset>/<version>.validation.json       the connect run's report that admitted it (and .html)
    curated/<dataset>/latest.json                     the current version, its inputs and reports
    curated/<dataset>/failed/<run>/report.json        a blocked or failed connect run's report (and .html)
    ledger/submissions.jsonl                          store: a `Submission` per inbox file
    ledger/connect.jsonl                              connect: a `ConnectLine` per run
    ledger/publish.jsonl                              create: a `PublishLine` per publish or rollback,
                                                      a `PublishFailure` when one failed
    samples/                                          `make demo`'s sample submissions

A ledger line is one JSON object whose keys are its record's fields, in order. Read back, a key
the line lacks (hand-written, or from before the field existed) takes the field's default, a key
the record does not know is ignored, and a line that is no record (cut short by a crash, or
without a field every line has) is skipped.
"""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from transforms import settings
from transforms.files import NAME_MAX_BYTES, locked, safe_file_name

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

INBOX = "inbox"
ARCHIVE = "archive"
RAW = "raw"
QUARANTINE = "quarantine"
CURATED = "curated"
LEDGER = "ledger"
SAMPLES = "samples"
LATEST = "latest.json"  # in raw/<dataset>/ and curated/<dataset>/: the current one


# --- ledger records ---------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Submission:
    """One inbox file as store filed it: a submissions.jsonl line, a manifest.json entry, raw latest.json."""

    department: str
    original_name: str
    received_at: str
    size: int = 0  # 0 and "" only in hand-written lines: store always knows both
    sha256: str = ""
    dataset: str | None
    outcome: str  # accepted | rejected | duplicate
    rows: int | None = None
    errors: int = 0
    warnings: int = 0
    raw_path: str | None = None
    report_path: str | None = None
    inbox_mtime_ns: int | None = None  # with name and size, tells a re-run from a resubmission


@dataclass(kw_only=True)
class ConnectLine:
    """One connect run (connect.jsonl)."""

    dataset: str
    run: str = ""
    at: str = ""
    outcome: str  # curated | unchanged | blocked | failed
    inputs: dict[str, str] = field(default_factory=dict)  # input dataset → sha256 of its accepted submission
    version: str | None = None
    rows: int | None = None
    path: str | None = None
    report_html: str | None = None
    report_json: str | None = None
    reason: dict[str, str] | None = None  # {code, ja, en} when blocked or failed
    failed_expectations: list[str] = field(default_factory=list)
    airflow_run_id: str | None = None
    join: list[dict[str, Any]] = field(default_factory=list)  # per join: input, column and row counts


@dataclass(kw_only=True)
class PublishLine:
    """A publish or rollback after which CKAN serves `version` (publish.jsonl)."""

    dataset: str
    version: str | None = None
    rows: int | None = None
    outcome: str  # published | unchanged | rolled_back | restored (odl restore)
    ckan_url: str = ""
    time: str = ""
    finished_at: str = ""
    seconds: float = 0.0
    change: dict[str, Any] | None = None  # the changelog entry of a new version (transforms.publish.changelog)


@dataclass(kw_only=True)
class PublishFailure:
    """A publish or rollback that failed; CKAN kept what it served before (publish.jsonl)."""

    dataset: str
    version: str | None = None
    rows: int | None = None
    outcome: str = "failed"
    ckan_url: str = ""
    time: str = ""
    finished_at: str = ""
    error: str = ""


R = TypeVar("R", bound="DataclassInstance")


def _record(kind: type[R], line: dict[str, Any]) -> R:
    known = {f.name for f in fields(kind)}
    return kind(**{key: value for key, value in line.items() if key in known})


def _publish_record(line: dict[str, Any]) -> PublishLine | PublishFailure:
    if line.get("outcome") == "failed":
        return _record(PublishFailure, line)
    return _record(PublishLine, line)


@dataclass(frozen=True)
class Ledger(Generic[R]):
    """An append-only file under ledger/ and the record each of its lines is."""

    file_name: str
    record: Callable[[dict[str, Any]], R]


def _submission(line: dict[str, Any]) -> Submission:
    return _record(Submission, line)


def _connect_line(line: dict[str, Any]) -> ConnectLine:
    return _record(ConnectLine, line)


SUBMISSIONS: Ledger[Submission] = Ledger("submissions.jsonl", _submission)
CONNECT_RUNS: Ledger[ConnectLine] = Ledger("connect.jsonl", _connect_line)
PUBLISHES: Ledger[PublishLine | PublishFailure] = Ledger("publish.jsonl", _publish_record)


# --- paths ------------------------------------------------------------------------------------------


class ReportFiles(NamedTuple):
    """A report written twice: JSON for programs, HTML for people."""

    json: Path
    html: Path


@dataclass(frozen=True)
class DataLayout:
    root: Path

    @classmethod
    def at(cls, root: Path | None = None) -> "DataLayout":
        """The layout under root, or under ODL_DATA_ROOT (read now) when root is None."""
        return cls(root or settings.data_root())

    # store (ためる)

    def inbox_dir(self, department: str) -> Path:
        return self.root / INBOX / department

    def archive_dir(self, sha256: str) -> Path:
        return self.root / ARCHIVE / sha256

    def archived_original(self, sha256: str, suffix: str) -> Path:
        """The received bytes, under their sha256 and the file's suffix in lower case."""
        return self.archive_dir(sha256) / f"original{suffix.lower()}"

    def manifest(self, sha256: str) -> Path:
        return self.archive_dir(sha256) / "manifest.json"

    def archive_lock(self, sha256: str) -> Path:
        return self.archive_dir(sha256) / ".lock"

    def raw_dir(self, dataset: str) -> Path:
        return self.root / RAW / dataset

    def raw_file(self, dataset: str, sha256: str) -> Path:
        """An accepted submission, normalised, named by the sha256 of the bytes received."""
        return self.raw_dir(dataset) / f"{sha256}.parquet"

    def raw_latest(self, dataset: str) -> Path:
        return self.raw_dir(dataset) / LATEST

    def quarantine_dir(self, submission: Submission) -> Path:
        """The folder of one rejected submission: its report and the file, named by time, content and name
        (the name made safe and cut to fit NAME_MAX)."""
        stamp = submission.received_at.replace(":", "").replace("-", "")[:15]
        prefix = f"{stamp}_{submission.sha256[:8]}_"
        name = safe_file_name(submission.original_name, NAME_MAX_BYTES - len(prefix)) or "file"
        return self.root / QUARANTINE / submission.department / f"{prefix}{name}"

    def quarantined_file(self, submission: Submission) -> Path:
        """The rejected file's copy in its quarantine folder, under its name made safe and short."""
        return self.quarantine_dir(submission) / (safe_file_name(submission.original_name, NAME_MAX_BYTES) or "file")

    def quarantine_report(self, submission: Submission) -> ReportFiles:
        folder = self.quarantine_dir(submission)
        return ReportFiles(folder / "report.json", folder / "report.html")

    # connect (つなぐ)

    def curated_dir(self, dataset: str) -> Path:
        return self.root / CURATED / dataset

    def curated_file(self, dataset: str, version: str) -> Path:
        """A validated version, named by the hash of its content: the same table is the same file."""
        return self.curated_dir(dataset) / f"{version}.parquet"

    def curated_latest(self, dataset: str) -> Path:
        return self.curated_dir(dataset) / LATEST

    def curated_lock(self, dataset: str) -> Path:
        """Held while a connect run writes a version and latest.json."""
        return self.curated_dir(dataset) / ".lock"

    def validation_report(self, dataset: str, version: str) -> ReportFiles:
        folder = self.curated_dir(dataset)
        return ReportFiles(folder / f"{version}.validation.json", folder / f"{version}.validation.html")

    def failed_run_report(self, dataset: str, run: str) -> ReportFiles:
        folder = self.curated_dir(dataset) / "failed" / run
        return ReportFiles(folder / "report.json", folder / "report.html")

    # create (つくる)

    def publish_lock(self, dataset: str) -> Path:
        """Held by a publish or rollback of the dataset, whether from a DAG run or `odl publish`."""
        return self.curated_dir(dataset) / ".publish.lock"

    def rollback_marker(self, dataset: str) -> Path:
        """Beside the publish lock: a rollback begun, from and to which version."""
        return self.curated_dir(dataset) / ".rollback.json"

    # the demo

    def samples_dir(self) -> Path:
        return self.root / SAMPLES

    # ledgers

    def ledger_file(self, ledger: Ledger[Any]) -> Path:
        return self.root / LEDGER / ledger.file_name

    def append(self, ledger: Ledger[R], record: R) -> None:
        """One JSON line at the end of the ledger; concurrent runs never interleave their lines."""
        path = self.ledger_file(ledger)
        with locked(path.with_name(f".{path.stem}.lock")), path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")

    def read(self, ledger: Ledger[R]) -> list[R]:
        """The ledger's records in the order written."""
        path = self.ledger_file(ledger)
        if not path.exists():
            return []
        records = []
        for text in path.read_text(encoding="utf-8").splitlines():
            try:
                line = json.loads(text)
                if isinstance(line, dict):
                    records.append(ledger.record(line))
            except (json.JSONDecodeError, TypeError):  # cut short, or without a field every line has
                continue
        return records
