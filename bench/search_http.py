"""Issue 14's search speed through CKAN's HTTP API (ckanext-odl answers both calls).

`python -m bench.search_http q <resource_id>`: `datastore_search` with `q` on the 1M-row table the
publish step loaded — for 1-, 2- and 4-character words drawn from its own text, p50 / p95 of the
whole call (count `total` + the first 100 rows, as CKAN pages them).

`python -m bench.search_http records <parquet> <tables> <rows>`: `odl_record_search` over `tables`
public DataStore tables of `rows` rows each (slices of the curated Parquet, loaded by odl's loader
into scratch datasets of bench.ckan_side's organization, purged by `make bench`'s clean-up), for the
same kind of words; p50 / p95 of the call (default `limit`, 5 rows per dataset).
"""

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import requests

from bench import ckan_side, search_options
from transforms.contracts import load_published_contracts
from transforms.publish import metadata, tables
from transforms.publish.config import from_environment
from transforms.publish.datastore import DatastoreLoader

PUBLISHED = "csf-wild-boar"


def words(resource_id: str) -> dict[int, list[str]]:
    """The same kind of words bench.search_options draws, from this table's own text."""
    with psycopg.connect(from_environment().datastore_url) as connection:
        return search_options.words(connection.cursor(), f'"{resource_id}"')


def _percentiles(milliseconds: list[float]) -> dict[str, float]:
    ordered = sorted(milliseconds)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
    }


def _timed_calls(ckan: ckan_side.Ckan, action: str, payloads: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """Each payload once to warm up, then once timed; p50 / p95 per word length and the median count."""
    out: dict[str, Any] = {}
    for length, calls in payloads.items():
        for payload in calls:
            ckan.call(action, payload)
        times, counts = [], []
        for payload in calls:
            started = time.perf_counter()
            result = ckan.call(action, payload)
            times.append((time.perf_counter() - started) * 1000)
            counts.append(result.get("total", result.get("count", 0)))
        out[str(length)] = _percentiles(times) | {"median_rows": int(statistics.median(counts))}
    return out


def datastore_search_q(resource_id: str) -> dict[str, Any]:
    chosen = words(resource_id)
    payloads = {
        length: [{"resource_id": resource_id, "q": word, "limit": 100} for word in ws] for length, ws in chosen.items()
    }
    return {"words": chosen, "queries": _timed_calls(ckan_side.Ckan(), "datastore_search", payloads)}


def record_search(parquet: Path, count: int, rows: int) -> dict[str, Any]:
    """`count` public tables of `rows` rows (consecutive slices of the Parquet), then odl_record_search on them."""
    ckan = ckan_side.Ckan()
    contract = load_published_contracts()[PUBLISHED]
    typed = tables.read_curated(parquet, contract)
    loader = DatastoreLoader(from_environment().datastore_url)
    if not ckan.exists("organization_show", ckan_side.ORGANIZATION):
        ckan.call("organization_create", {"name": ckan_side.ORGANIZATION, "title": "odl ベンチマーク（比較用）"})
    resource_ids = []
    started = time.perf_counter()
    for number in range(count):
        name = f"odl-bench-records-{number:02d}"
        if ckan.exists("package_show", name):
            ckan_side.purge_dataset(ckan, name)
        package = ckan.call(
            "package_create",
            {"name": name, "title": f"ベンチマーク 横断検索 {number}", "owner_org": ckan_side.ORGANIZATION},
        )
        created = ckan.call(
            "datastore_create",
            {
                "resource": {"package_id": package["id"], "name": "bench"},
                "fields": metadata.datastore_fields(contract),
                "primary_key": list(contract.key),
            },
        )
        part = typed.slice((number * rows) % max(typed.num_rows - rows, 1), rows)
        loader.load(
            created["resource_id"],
            tables.copy_chunks(part),
            f"bench-{number}",
            columns=contract.column_names,
            keep_previous=False,  # datastore_delete in the clean-up drops the live table only
        )
        resource_ids.append(created["resource_id"])
    load_seconds = time.perf_counter() - started
    chosen = words(resource_ids[0])
    payloads = {length: [{"q": word} for word in ws] for length, ws in chosen.items()}
    return {
        "tables": count,
        "rows_per_table": rows,
        "load_seconds": round(load_seconds, 1),
        "words": chosen,
        "queries": _timed_calls(ckan, "odl_record_search", payloads),
    }


def main(argv: list[str]) -> int:
    try:
        if argv[0] == "q":
            result = datastore_search_q(argv[1])
        else:
            result = record_search(Path(argv[1]), int(argv[2]), int(argv[3]))
    except (requests.RequestException, RuntimeError) as failure:
        print(json.dumps({"error": str(failure)[:300]}, ensure_ascii=False))
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
