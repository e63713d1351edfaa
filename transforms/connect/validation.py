"""Validation with Great Expectations core: an ephemeral context, one pandas batch per table.

GX is imported inside `validate` only: the import takes seconds, and DAG files must not pay it.
Results come back as plain values (`ValidationResult`), in suite order, for the report and the ledger.
"""

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from transforms.connect.derived import DerivedContext, derived_tables_of
from transforms.connect.suites import CURATED_BATCH, SuiteError, batches, gx_suite

EXAMPLES = 10  # unexpected values shown per failed expectation
_INDEX_KEY = "odl_index"  # position in the suite, carried through GX in each expectation's meta


@dataclass(frozen=True)
class ExpectationOutcome:
    index: int
    batch: str
    type: str
    kwargs: dict[str, Any]
    label_ja: str
    label_en: str
    source: str  # contract | handwritten
    success: bool
    observed: Any = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    examples: list[Any] = field(default_factory=list)
    source_rows: list[int] = field(default_factory=list)  # the department's rows of the examples, where known
    error: str | None = None  # GX could not evaluate it (counts as failed)


@dataclass(frozen=True)
class ValidationResult:
    suite: str
    success: bool
    expectations: list[ExpectationOutcome]
    gx_version: str
    seconds: float

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.expectations if not outcome.success]

    def to_dict(self) -> dict[str, Any]:
        evaluated = len(self.expectations)
        return {
            "suite": self.suite,
            "success": self.success,
            "gx_version": self.gx_version,
            "seconds": round(self.seconds, 3),
            "statistics": {
                "evaluated_expectations": evaluated,
                "successful_expectations": evaluated - len(self.failed),
                "unsuccessful_expectations": len(self.failed),
            },
            "expectations": [asdict(outcome) for outcome in self.expectations],
        }


def _jsonable(value: Any) -> Any:
    """Values GX hands back (numpy scalars, NaN, tuples) as plain JSON values."""
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    if isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _error(exception_info: Any) -> str | None:
    """GX's exception_info is either one {raised_exception, exception_message} or one per metric."""
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    messages = [str(info.get("exception_message")) for info in infos if info.get("raised_exception")]
    return "; ".join(messages) or None


def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,  # no usage statistics leave the prefecture's machines
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def validate(
    table: pd.DataFrame,
    suite: dict[str, Any],
    context: DerivedContext,
    source_rows: pd.Series | None = None,
) -> ValidationResult:
    """Every expectation of the suite, over the curated table and the derived tables it names."""
    import great_expectations as gx

    started = time.perf_counter()
    with _no_batch_fingerprint():
        outcomes = _validate_batches(table, suite, context, source_rows)
    return ValidationResult(
        suite=suite["name"],
        success=all(outcome.success for outcome in outcomes),
        expectations=outcomes,
        gx_version=gx.__version__,
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _no_batch_fingerprint() -> Iterator[None]:
    """GX md5-hashes every row of a pandas batch below 1 GB as a marker only Data Docs show: over a
    million rows that is two thirds of the validation time. odl names versions by its own content hash."""
    from great_expectations.execution_engine import pandas_execution_engine

    threshold = pandas_execution_engine.HASH_THRESHOLD
    pandas_execution_engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        pandas_execution_engine.HASH_THRESHOLD = threshold


def _validate_batches(
    table: pd.DataFrame, suite: dict[str, Any], context: DerivedContext, source_rows: pd.Series | None
) -> list[ExpectationOutcome]:
    derived_specs = suite.get("meta", {}).get("odl", {}).get("derived_tables", {})
    contract = context.contracts.get(suite["name"])
    derived = derived_tables_of(contract) if contract else {}
    gx_context = _context()
    datasource = gx_context.data_sources.add_pandas("odl")
    indexed = {id(e): i for i, e in enumerate(suite["expectations"])}
    outcomes: list[ExpectationOutcome] = []
    for batch_name, expectations in batches(suite).items():
        if not expectations:
            continue
        if batch_name == CURATED_BATCH:
            frame = table
        elif batch_name in derived and batch_name in derived_specs:
            frame = derived[batch_name](table, derived_specs[batch_name].get("params", {}), context)
        else:
            raise SuiteError(f"suite {suite['name']}: unknown derived table {batch_name!r}")
        tagged = [e | {"meta": {**e.get("meta", {}), _INDEX_KEY: indexed[id(e)]}} for e in expectations]
        batch_suite = gx_suite(f"{suite['name']}.{batch_name}", tagged)
        definition = datasource.add_dataframe_asset(batch_name).add_batch_definition_whole_dataframe("whole")
        result = definition.get_batch(batch_parameters={"dataframe": frame}).validate(
            batch_suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES}
        )
        if len(result.results) != len(expectations):
            raise SuiteError(
                f"suite {suite['name']}.{batch_name}: {len(result.results)} results for {len(expectations)}"
            )
        rows = source_rows if batch_name == CURATED_BATCH else None
        outcomes += [_outcome(batch_name, r, rows) for r in result.results]
    return sorted(outcomes, key=lambda outcome: outcome.index)


def _outcome(batch: str, result: Any, source_rows: pd.Series | None) -> ExpectationOutcome:
    config = result.expectation_config
    meta = dict(config.meta or {})
    details = result.result or {}
    error = _error(result.exception_info)
    positions = details.get("partial_unexpected_index_list") or []
    rows = []
    if source_rows is not None and positions:
        rows = [int(source_rows.iloc[int(p)]) for p in positions if pd.api.types.is_integer(p) and p < len(source_rows)]
    kwargs = {key: value for key, value in config.kwargs.items() if key != "batch_id"}
    return ExpectationOutcome(
        index=int(meta[_INDEX_KEY]),
        batch=batch,
        type=config.type,
        kwargs=_jsonable(kwargs),
        label_ja=str(meta.get("label_ja", config.type)),
        label_en=str(meta.get("label_en", config.type)),
        source=str(meta.get("source", "contract")),
        success=bool(result.success) and error is None,
        observed=_jsonable(details.get("observed_value")),
        unexpected_count=details.get("unexpected_count"),
        unexpected_percent=_jsonable(details.get("unexpected_percent")),
        examples=_jsonable(details.get("partial_unexpected_list") or []),
        source_rows=rows,
        error=error,
    )
