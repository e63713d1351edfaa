"""The benchmark's entry to create: load a large curated Parquet into the DataStore through the publish loader, timed.

Uses a scratch dataset (`odl-bench-<dataset>` in the organization `odl-bench`) so a benchmark never
touches what citizens see; its table is created through the API like any published one.
"""

import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.contracts import load_published_contracts
from transforms.publish import metadata, tables
from transforms.publish.ckan_client import CkanClient
from transforms.publish.config import CkanSettings, from_environment
from transforms.publish.datastore import DatastoreLoader

BENCH_ORGANIZATION = "odl-bench"


def _bench_resource(ckan: CkanClient, dataset: str) -> str:
    contract = load_published_contracts()[dataset]
    if ckan.show("organization_show", id=BENCH_ORGANIZATION) is None:
        ckan.call("organization_create", {"name": BENCH_ORGANIZATION, "title": "odl ベンチマーク"})
    name = f"odl-bench-{dataset}"
    package = ckan.show("package_show", id=name) or ckan.call(
        "package_create",
        {"name": name, "title": f"{contract.title}（ベンチマーク）", "owner_org": BENCH_ORGANIZATION, "private": True},
    )
    for resource in package.get("resources", []):
        if resource.get("datastore_active"):
            return str(resource["id"])
    created = ckan.call(
        "datastore_create",
        {
            "resource": {"package_id": package["id"], "name": "bench"},
            "fields": metadata.datastore_fields(contract),
            "primary_key": list(contract.key),
        },
    )
    return str(created["resource_id"])


def load_parquet(parquet: Path, dataset: str = "csf-wild-boar", settings: CkanSettings | None = None) -> dict[str, Any]:
    """Rows per second into the DataStore (COPY, search columns, indexes, swap), the read time and the phases."""
    config = settings or from_environment()
    contract = load_published_contracts()[dataset]
    resource_id = _bench_resource(CkanClient(config.url, config.api_token), dataset)
    started = time.perf_counter()
    typed = tables.read_curated(parquet, contract)
    read_seconds = time.perf_counter() - started
    result = DatastoreLoader(config.datastore_url).load(
        resource_id,
        tables.copy_chunks(typed),
        f"bench-{int(time.time())}",
        columns=contract.column_names,
        keep_previous=False,
    )
    return {
        "method": "odl DataStore loader (COPY + search columns + swap)",
        "rows": result.rows,
        "read_seconds": round(read_seconds, 3),
        "load_seconds": round(result.seconds, 3),
        "rows_per_s": round(result.rows / result.seconds),
        "phases": result.phases,
        "resource_id": resource_id,
    }


def edited(typed: pa.Table, column: str, every: int, offset: int) -> pa.Table:
    """A next version: every `every`-th row (from `offset`) gets a note appended to a text column."""
    mask = pa.array(np.arange(typed.num_rows) % every == offset)
    values = typed.column(column)
    changed = pc.if_else(mask, pc.binary_join_element_wise(pc.fill_null(values, ""), "（訂正）", ""), values)
    return typed.set_column(typed.column_names.index(column), column, changed)


def reload_parquet(
    parquet: Path, dataset: str = "csf-wild-boar", settings: CkanSettings | None = None, *, changed_every: int = 100
) -> dict[str, Any]:
    """Rows per second of a reload that edits one row in `changed_every`, as a weekly update would.

    Two untimed loads first make the kept previous version and the live table, each editing another
    row in `changed_every` of the file; the timed load edits a third, so it differs from the kept
    version (which it is applied to, see transforms.publish.datastore) in two rows of `changed_every`.
    """
    config = settings or from_environment()
    contract = load_published_contracts()[dataset]
    resource_id = _bench_resource(CkanClient(config.url, config.api_token), dataset)
    loader = DatastoreLoader(config.datastore_url)
    typed = tables.read_curated(parquet, contract)
    note_column = contract.column_names[-1]
    stamp = int(time.time())
    for offset in (0, 1):  # previous, then live
        version = edited(typed, note_column, changed_every, offset)
        loader.load(resource_id, tables.copy_chunks(version), f"bench-{stamp}-{offset}", columns=contract.column_names)
    started = time.perf_counter()
    final = tables.read_curated(parquet, contract)
    read_seconds = time.perf_counter() - started
    result = loader.load(
        resource_id,
        tables.copy_chunks(edited(final, note_column, changed_every, 2)),
        f"bench-{stamp}-2",
        columns=contract.column_names,
    )
    if result.method != "in_place":
        raise RuntimeError(f"the timed reload was a {result.method}, not in place")
    return {
        "method": "odl DataStore loader, reload in place",
        "rows": result.rows,
        "changed_rows": result.changed_rows,
        "read_seconds": round(read_seconds, 3),
        "load_seconds": round(result.seconds, 3),
        "rows_per_s": round(result.rows / result.seconds),
        "phases": result.phases,
        "resource_id": resource_id,
    }
