"""One connect run of a published dataset: latest inputs → build → reconcile joins → validate → curated/.

Layout under the data root:
    curated/<dataset>/<version>.parquet           a validated version; version = content hash
    curated/<dataset>/<version>.validation.json   the run's report that admitted it (and .html)
    curated/<dataset>/latest.json                 the current version, its inputs and reports
    curated/<dataset>/failed/<run>/report.json    a blocked or failed run's report (and report.html)
    ledger/connect.jsonl                          one line per run: curated | unchanged | blocked | failed

The same inputs give the same version: nothing is rewritten and the outcome is "unchanged".
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from transforms import settings
from transforms.connect import report
from transforms.connect.builders import transform_of
from transforms.connect.derived import DerivedContext
from transforms.connect.joins import JoinQuality
from transforms.connect.messages import message
from transforms.connect.suites import load_suite
from transforms.connect.tables import InputMissing, RawInput, content_version, curated_dtypes, latest_raw, write_parquet
from transforms.connect.validation import ValidationResult, validate
from transforms.contracts import PublishedContract, load_published_contracts
from transforms.files import append_ledger_line, locked, read_ledger, write_atomically
from transforms.reference import Municipalities, load_municipalities

FAILED_SHOWN = 5  # failed expectations named in a run's one-line reason
CONNECT_LEDGER = "connect.jsonl"


@dataclass(frozen=True)
class Connected:
    """A dataset built and validated in memory (nothing written): what a run and the benchmark share."""

    table: pd.DataFrame  # curated columns and dtypes
    version: str
    joins: tuple[JoinQuality, ...]
    validation: ValidationResult | None  # None when a join blocked it

    @property
    def blocked(self) -> bool:
        return any(join.blocking for join in self.joins)


@dataclass
class ConnectRun:
    dataset: str
    run: str
    at: str
    outcome: str  # curated | unchanged | blocked | failed
    inputs: dict[str, str] = field(default_factory=dict)  # input dataset → sha256 of its accepted submission
    version: str | None = None
    rows: int | None = None
    path: str | None = None
    report_html: str | None = None
    report_json: str | None = None
    reason: dict[str, str] | None = None  # {code, ja, en} when blocked or failed
    failed_expectations: list[str] = field(default_factory=list)
    join_quality: list[dict[str, Any]] = field(default_factory=list)
    airflow_run_id: str | None = None

    @property
    def published_new_version(self) -> bool:
        return self.outcome == "curated"

    def summary(self) -> str:
        """One line for a log or a task failure."""
        if self.reason:
            return f"{self.dataset}: {self.outcome}: {self.reason['en']} / {self.reason['ja']}"
        return f"{self.dataset}: {self.outcome}: version {self.version}, {self.rows} rows, report {self.report_html}"


def connect_tables(
    contract: PublishedContract,
    inputs: dict[str, pd.DataFrame],
    municipalities: Municipalities,
    contracts: dict[str, PublishedContract],
    suite: dict[str, Any],
) -> Connected:
    """Build the dataset from its input tables, reconcile its joins and, unless a join blocks it, validate it."""
    built = transform_of(contract)(contract, inputs, municipalities)
    table = curated_dtypes(built.table, contract)
    version = content_version(table)
    if any(join.blocking for join in built.joins):
        return Connected(table, version, built.joins, None)
    context = DerivedContext(inputs, contracts, municipalities)
    return Connected(table, version, built.joins, validate(table, suite, context, built.source_rows))


def connect_dataset(
    dataset: str,
    data_root: Path | None = None,
    catalog_dir: Path | None = None,
    now: datetime | None = None,
    airflow_run_id: str | None = None,
) -> ConnectRun:
    """Connect one published dataset from the latest accepted version of each input, and file the outcome."""
    data_root = data_root or settings.data_root()
    contracts = load_published_contracts(catalog_dir)
    contract = contracts[dataset]
    moment = now or datetime.now(UTC)
    run = ConnectRun(
        dataset=dataset,
        run=moment.strftime("%Y%m%dT%H%M%S%fZ"),
        at=moment.isoformat(timespec="seconds"),
        outcome="blocked",
        airflow_run_id=airflow_run_id,
    )
    folder = data_root / "curated" / dataset
    raws: dict[str, RawInput] = {}
    try:
        for name in contract.inputs:
            raws[name] = latest_raw(name, data_root)
    except InputMissing as missing:
        run.reason = message("input_missing", input=missing.dataset)
        return _file_failure(run, contract, raws, None, None, folder, data_root)
    run.inputs = {name: raw.sha256 for name, raw in raws.items()}
    municipalities = load_municipalities(catalog_dir)
    connected = connect_tables(
        contract,
        {name: raw.table for name, raw in raws.items()},
        municipalities,
        contracts,
        load_suite(contract, municipalities),
    )
    run.version, run.rows = connected.version, len(connected.table)
    run.join_quality = [join.to_dict() for join in connected.joins]
    if connected.blocked:
        details = " / ".join(problem["ja"] for join in connected.joins for problem in join.problems())
        details_en = " / ".join(problem["en"] for join in connected.joins for problem in join.problems())
        run.reason = message("join_blocked", details=details, en_params={"details": details_en})
        return _file_failure(run, contract, raws, connected, None, folder, data_root)
    assert connected.validation is not None
    if not connected.validation.success:
        run.outcome = "failed"
        run.failed_expectations = [outcome.label_ja for outcome in connected.validation.failed]
        return _file_failure(run, contract, raws, connected, connected.validation, folder, data_root)
    return _file_success(run, contract, raws, connected, folder, data_root)


def _report(
    run: ConnectRun, contract: PublishedContract, raws: dict[str, RawInput], validation: ValidationResult | None
) -> dict[str, Any]:
    return {
        "dataset": run.dataset,
        "title": contract.title,
        "run": run.run,
        "at": run.at,
        "outcome": run.outcome,
        "version": run.version,
        "rows": run.rows,
        "reason": run.reason,
        "inputs": {
            name: {"sha256": raw.sha256, "rows": len(raw.table), "path": str(raw.path)} for name, raw in raws.items()
        },
        "join_quality": run.join_quality,
        "validation": validation.to_dict() if validation else None,
    }


def _write_report(data: dict[str, Any], json_path: Path, html_path: Path) -> None:
    write_atomically(json_path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    write_atomically(html_path, report.render_html(data).encode("utf-8"))


def _file_failure(
    run: ConnectRun,
    contract: PublishedContract,
    raws: dict[str, RawInput],
    connected: Connected | None,
    validation: ValidationResult | None,
    folder: Path,
    data_root: Path,
) -> ConnectRun:
    """A blocked or failed run: its report under failed/<run>/, no curated version."""
    target = folder / "failed" / run.run
    run.report_json, run.report_html = str(target / "report.json"), str(target / "report.html")
    if validation is not None:
        failed = validation.failed
        shown = "、".join(f"「{o.label_ja}」" for o in failed[:FAILED_SHOWN]) + (
            "…" if len(failed) > FAILED_SHOWN else ""
        )
        shown_en = "; ".join(o.label_en for o in failed[:FAILED_SHOWN]) + ("…" if len(failed) > FAILED_SHOWN else "")
        run.reason = message(
            "validation_failed",
            failed=len(failed),
            details=shown,
            report=run.report_html,
            en_params={"details": shown_en},
        )
    _write_report(_report(run, contract, raws, validation), Path(run.report_json), Path(run.report_html))
    _append_ledger(data_root, run)
    return run


def _file_success(
    run: ConnectRun,
    contract: PublishedContract,
    raws: dict[str, RawInput],
    connected: Connected,
    folder: Path,
    data_root: Path,
) -> ConnectRun:
    """A validated table: a new version and latest.json, unless latest.json already names this version."""
    parquet = folder / f"{run.version}.parquet"
    json_path, html_path = folder / f"{run.version}.validation.json", folder / f"{run.version}.validation.html"
    run.path, run.report_json, run.report_html = str(parquet), str(json_path), str(html_path)
    with locked(folder / ".lock"):
        pointer = folder / "latest.json"
        latest = json.loads(pointer.read_text(encoding="utf-8")) if pointer.exists() else {}
        # A run that died between latest.json and its ledger line never announced the version: redo it.
        if latest.get("version") == run.version and parquet.exists() and _recorded(data_root, run):
            run.outcome = "unchanged"
            run.report_json, run.report_html = latest.get("report_json"), latest.get("report_html")
        else:
            run.outcome = "curated"
            if not parquet.exists():
                write_parquet(connected.table, contract, parquet)
            assert connected.validation is not None
            _write_report(_report(run, contract, raws, connected.validation), json_path, html_path)
            latest = {
                "dataset": run.dataset,
                "version": run.version,
                "rows": run.rows,
                "path": run.path,
                "created_at": run.at,
                "inputs": run.inputs,
                "report_html": run.report_html,
                "report_json": run.report_json,
                "join_quality": run.join_quality,
            }
            write_atomically(pointer, json.dumps(latest, ensure_ascii=False, indent=2).encode("utf-8"))
    _append_ledger(data_root, run)
    return run


def _recorded(data_root: Path, run: ConnectRun) -> bool:
    """Whether an earlier run finished curating this version (its ledger line is written last)."""
    return any(
        line.get("dataset") == run.dataset and line.get("version") == run.version and line.get("outcome") == "curated"
        for line in read_ledger(data_root, CONNECT_LEDGER)
    )


def _append_ledger(data_root: Path, run: ConnectRun) -> None:
    line = {key: value for key, value in asdict(run).items() if key != "join_quality"}
    line["join"] = [
        {k: j[k] for k in ("input", "column", "rows", "matched_rows", "unmatched_rows", "ambiguous_rows")}
        for j in run.join_quality
    ]
    append_ledger_line(data_root, CONNECT_LEDGER, line)
