"""What each measured child process runs: `python -m bench.steps <step> …`, printing one JSON line.

A step imports the pipeline's own code (connect, publish) only when it runs, so a part that has not
landed yet makes that one measurement "not available" instead of stopping the benchmark.
"""

import csv
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def prepare(source: str, source_dataset: str, published_dataset: str, parquet: str, final_csv: str) -> dict[str, Any]:
    """The curated Parquet connect would write and the CSV create would publish, from a submission (not timed)."""
    from transforms.connect.builders import transform_of
    from transforms.connect.tables import curated_dtypes, write_parquet
    from transforms.contracts import load_published_contracts, load_source_contracts
    from transforms.publish import tables
    from transforms.reference import load_municipalities
    from transforms.store import SOURCE_ROW_COLUMN
    from transforms.validate import check_file

    municipalities = load_municipalities()
    checked = check_file(Path(source), load_source_contracts()[source_dataset], municipalities)
    if checked.table is None or checked.errors:
        raise SystemExit(f"{source} is not a valid {source_dataset} submission: {checked.errors[:3]}")
    contract = load_published_contracts()[published_dataset]
    inputs = {source_dataset: checked.table.reset_index(names=SOURCE_ROW_COLUMN)}
    built = transform_of(contract)(contract, inputs, municipalities)
    write_parquet(curated_dtypes(built.table, contract), contract, Path(parquet))
    typed = tables.read_curated(Path(parquet), contract)
    tables.write_csv(typed, Path(final_csv))
    return {"rows": typed.num_rows}


def connect(source: str, source_dataset: str) -> dict[str, Any]:
    from bench.connect import normalise_join_validate

    started = time.perf_counter()
    outcome = normalise_join_validate(Path(source), source_dataset)
    return {"seconds": time.perf_counter() - started, "detail": outcome}


def publish(parquet: str, dataset: str) -> dict[str, Any]:
    from bench.publish import load_parquet

    started = time.perf_counter()
    outcome = load_parquet(Path(parquet), dataset)
    return {"seconds": time.perf_counter() - started, "detail": outcome}


def reload(parquet: str, dataset: str) -> dict[str, Any]:
    from bench.publish import reload_parquet

    started = time.perf_counter()
    outcome = reload_parquet(Path(parquet), dataset)
    return {"seconds": time.perf_counter() - started, "detail": outcome}


def upsert(final_csv: str, resource_id: str, rows: str, batch: str, url: str) -> dict[str, Any]:
    """The first `rows` rows of the CSV through datastore_upsert, `batch` records a call, as AirCan does."""
    import ckanapi

    from transforms.publish.config import from_environment

    ckan = ckanapi.RemoteCKAN(url, apikey=from_environment().api_token)
    started = time.perf_counter()
    sent = 0
    for records in _batches(Path(final_csv), int(rows), int(batch)):
        ckan.action.datastore_upsert(resource_id=resource_id, records=records, method="upsert", force=True)
        sent += len(records)
    return {"seconds": time.perf_counter() - started, "rows": sent}


def _batches(path: Path, rows: int, batch: int) -> Iterator[list[dict[str, Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records: list[dict[str, Any]] = []
        for number, row in enumerate(csv.DictReader(handle)):
            if number >= rows:
                break
            # An empty cell is a null, as the DataStore wants for numeric and date columns.
            records.append({key: value if value != "" else None for key, value in row.items()})
            if len(records) == batch:
                yield records
                records = []
        if records:
            yield records


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "prepare": prepare,
    "connect": connect,
    "publish": publish,
    "reload": reload,
    "upsert": upsert,
}

if __name__ == "__main__":
    print(json.dumps(STEPS[sys.argv[1]](*sys.argv[2:]), ensure_ascii=False, default=str))
