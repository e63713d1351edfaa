"""One connect run of a published dataset: latest inputs → build → reconcile joins → validate → curated/.

A validated table becomes a version under curated/<dataset>/ with its report and latest.json; a
blocked or failed run leaves only its report under failed/<run>/. Every run is a line in the connect
ledger (paths and records: transforms.data_layout). The same inputs give the same version: nothing
is rewritten and the outcome is "unchanged".
"""

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.connect import report
from transforms.connect.builders import transform_of
from transforms.connect.derived import DerivedContext
from transforms.connect.joins import JoinQuality
from transforms.connect.messages import message
from transforms.connect.suites import load_suite
from transforms.connect.tables import InputMissing, RawInput, content_version, curated_dtypes, latest_raw, write_parquet
from transforms.connect.validation import ValidationResult, validate
from transforms.contracts import PublishedContract, load_published_contracts
from transforms.data_layout import CONNECT_RUNS, ConnectLine, DataLayout
from transforms.files import locked, write_atomically
from transforms.reference import Municipalities, load_municipalities

FAILED_SHOWN = 5  # failed expectations named in a run's one-line reason
JOIN_COUNTS = ("input", "column", "rows", "matched_rows", "unmatched_rows", "ambiguous_rows")  # a join in the ledger


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


@dataclass(kw_only=True)
class ConnectRun(ConnectLine):
    """A connect run as it goes: its ledger line's fields, plus each join's quality with its examples."""

    join_quality: list[dict[str, Any]] = field(default_factory=list)

    @property
    def published_new_version(self) -> bool:
        return self.outcome == "curated"

    def summary(self) -> str:
        """One line for a log or a task failure."""
        if self.reason:
            return f"{self.dataset}: {self.outcome}: {self.reason['en']} / {self.reason['ja']}"
        return f"{self.dataset}: {self.outcome}: version {self.version}, {self.rows} rows, report {self.report_html}"

    def ledger_line(self) -> ConnectLine:
        """The run as the connect ledger keeps it: each join by its counts, without examples."""
        line = {column.name: getattr(self, column.name) for column in fields(ConnectLine)}
        return ConnectLine(**line | {"join": [{key: join[key] for key in JOIN_COUNTS} for join in self.join_quality]})


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
    layout = DataLayout.at(data_root)
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
    raws: dict[str, RawInput] = {}
    try:
        for name in contract.inputs:
            raws[name] = latest_raw(name, layout.root)
    except InputMissing as missing:
        run.reason = message("input_missing", input=missing.dataset)
        return _file_failure(run, contract, raws, None, None, layout)
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
        return _file_failure(run, contract, raws, connected, None, layout)
    assert connected.validation is not None
    if not connected.validation.success:
        run.outcome = "failed"
        run.failed_expectations = [outcome.label_ja for outcome in connected.validation.failed]
        return _file_failure(run, contract, raws, connected, connected.validation, layout)
    return _file_success(run, contract, raws, connected, layout)


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
    layout: DataLayout,
) -> ConnectRun:
    """A blocked or failed run: its report under failed/<run>/, no curated version."""
    target = layout.failed_run_report(run.dataset, run.run)
    run.report_json, run.report_html = str(target.json), str(target.html)
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
    _write_report(_report(run, contract, raws, validation), target.json, target.html)
    layout.append(CONNECT_RUNS, run.ledger_line())
    return run


def _file_success(
    run: ConnectRun,
    contract: PublishedContract,
    raws: dict[str, RawInput],
    connected: Connected,
    layout: DataLayout,
) -> ConnectRun:
    """A validated table: a new version and latest.json, unless latest.json already names this version."""
    assert run.version is not None
    parquet = layout.curated_file(run.dataset, run.version)
    written = layout.validation_report(run.dataset, run.version)
    run.path, run.report_json, run.report_html = str(parquet), str(written.json), str(written.html)
    with locked(layout.curated_lock(run.dataset)):
        pointer = layout.curated_latest(run.dataset)
        latest = json.loads(pointer.read_text(encoding="utf-8")) if pointer.exists() else {}
        # A run that died between latest.json and its ledger line never announced the version: redo it.
        if latest.get("version") == run.version and parquet.exists() and _recorded(layout, run):
            run.outcome = "unchanged"
            run.report_json, run.report_html = latest.get("report_json"), latest.get("report_html")
        else:
            run.outcome = "curated"
            if not parquet.exists():
                write_parquet(connected.table, contract, parquet)
            assert connected.validation is not None
            _write_report(_report(run, contract, raws, connected.validation), written.json, written.html)
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
    layout.append(CONNECT_RUNS, run.ledger_line())
    return run


def _recorded(layout: DataLayout, run: ConnectRun) -> bool:
    """Whether an earlier run finished curating this version (its ledger line is written last)."""
    return any(
        line.dataset == run.dataset and line.version == run.version and line.outcome == "curated"
        for line in layout.read(CONNECT_RUNS)
    )
