"""The benchmark's entry to connect: normalise a department's file, then join and validate what it feeds.

Nothing is written: the timings are of the work itself (the store's normalisation, the connect
transform with its joins, Great Expectations over the curated and derived tables).
"""

import time
from pathlib import Path
from typing import Any

from transforms.connect.builders import transform_of
from transforms.connect.derived import DerivedContext
from transforms.connect.suites import load_suite
from transforms.connect.tables import curated_dtypes
from transforms.connect.validation import validate
from transforms.contracts import load_published_contracts, load_source_contracts
from transforms.reference import load_municipalities
from transforms.store import SOURCE_ROW_COLUMN
from transforms.validate import check_file


def normalise_join_validate(path: Path, source_dataset: str, catalog_dir: Path | None = None) -> dict[str, Any]:
    """Seconds and outcomes of each stage for every published dataset built from `source_dataset` alone.

    E.g. a csf-wild-boar file feeds csf-wild-boar and csf-wild-boar-monthly; a tourism-facilities file
    feeds tourism-facilities.
    """
    municipalities = load_municipalities(catalog_dir)
    published = load_published_contracts(catalog_dir)
    started = time.perf_counter()
    checked = check_file(path, load_source_contracts(catalog_dir)[source_dataset], municipalities)
    result: dict[str, Any] = {
        "normalise_seconds": time.perf_counter() - started,
        "rows": checked.rows,
        "errors": len(checked.errors),
        "datasets": {},
    }
    if checked.table is None:
        return result
    inputs = {source_dataset: checked.table.reset_index(names=SOURCE_ROW_COLUMN)}
    for contract in published.values():
        if contract.inputs != (source_dataset,):
            continue
        started = time.perf_counter()
        built = transform_of(contract)(contract, inputs, municipalities)
        table = curated_dtypes(built.table, contract)
        joined = time.perf_counter()
        validation = validate(
            table,
            load_suite(contract, municipalities),
            DerivedContext(inputs, published, municipalities),
            built.source_rows,
        )
        result["datasets"][contract.id] = {
            "rows": len(table),
            "join_seconds": joined - started,
            "validate_seconds": time.perf_counter() - joined,
            "joins_blocking": any(join.blocking for join in built.joins),
            "valid": validation.success,
            "failed": [outcome.label_en for outcome in validation.failed],
        }
    return result
