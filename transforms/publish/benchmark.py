"""For `make bench`: load a large curated Parquet into the DataStore through the publish loader, timed.

Uses a scratch dataset (`odl-bench-<dataset>` in the organization `odl-bench`) so a benchmark never
touches what citizens see; its table is created through the API like any published one.
"""

import time
from pathlib import Path
from typing import Any

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


def load_parquet(
    parquet: Path, dataset: str = "csf-wild-boar", settings: CkanSettings | None = None, *, full_text: bool = True
) -> dict[str, Any]:
    """Rows per second into the DataStore (COPY, full text unless turned off, indexes, swap), and the read time."""
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
        full_text=full_text,
    )
    return {
        "method": "odl DataStore loader (COPY + swap" + (", full text)" if full_text else ", no full text)"),
        "rows": result.rows,
        "read_seconds": round(read_seconds, 3),
        "load_seconds": round(result.seconds, 3),
        "rows_per_s": round(result.rows / result.seconds),
        "resource_id": resource_id,
    }
