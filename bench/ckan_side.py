"""The benchmark's CKAN side: a scratch organization, the API-upsert target, xloader beside the stack, the COPY floor.

xloader is never enabled in the stack's CKAN (it would react to every uploaded CSV): the benchmark
serves the same CKAN code and databases a second time on 127.0.0.1:5001 with a bench-only ini that
adds the plugin, runs xloader's loads with that ini, and stops the server (by its PID file) afterwards.
"""

import contextlib
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from scripts import processes
from scripts.services import POSTGRES_ADMIN_URL, port_open, run_sql

REPO_ROOT = Path(__file__).resolve().parents[1]
CKAN_BIN = REPO_ROOT / ".venv-ckan" / "bin"
STATE = REPO_ROOT / "state"
ORGANIZATION = "odl-bench-compare"  # everything the comparisons create lives here and is purged after
XLOADER_PORT = 5001
XLOADER_URL = f"http://127.0.0.1:{XLOADER_PORT}"
XLOADER_JOBS_DB = "odl_bench_xloader_jobs"
FLOOR_TABLE = "odl_bench_copy_floor"


class Ckan:
    """Action API calls as the stack's sysadmin (token from state/ckan.json), on the stack or on the xloader twin."""

    def __init__(self, url: str | None = None) -> None:
        info = json.loads((STATE / "ckan.json").read_text(encoding="utf-8"))
        self.url = url or info["url"]
        self._headers = {"Authorization": info["api_token"]}

    def call(self, action: str, data: dict[str, Any] | None = None, files: dict[str, Any] | None = None) -> Any:
        endpoint = f"{self.url}/api/3/action/{action}"
        if files:
            response = requests.post(endpoint, data=data, files=files, headers=self._headers, timeout=600)
        else:
            response = requests.post(endpoint, json=data or {}, headers=self._headers, timeout=600)
        body = response.json()
        if not body.get("success"):
            raise RuntimeError(f"{action}: {body.get('error')}")
        return body["result"]

    def exists(self, action: str, name: str) -> bool:
        try:
            self.call(action, {"id": name})
        except RuntimeError:
            return False
        return True


def scratch_dataset(ckan: Ckan, name: str, title: str) -> dict[str, Any]:
    if not ckan.exists("organization_show", ORGANIZATION):
        ckan.call("organization_create", {"name": ORGANIZATION, "title": "odl ベンチマーク（比較用）"})
    if ckan.exists("package_show", name):
        purge_dataset(ckan, name)
    return dict(ckan.call("package_create", {"name": name, "title": title, "owner_org": ORGANIZATION, "private": True}))


def upsert_target(ckan: Ckan, published_dataset: str, header: list[str]) -> str:
    """A DataStore table shaped like the published one (types, key), for datastore_upsert to fill."""
    from transforms.contracts import load_published_contracts

    contract = load_published_contracts()[published_dataset]
    try:
        from transforms.publish.metadata import datastore_fields

        fields = datastore_fields(contract)
    except ImportError:  # the create stage has not landed: text columns still measure the API path
        fields = [{"id": name, "type": "text"} for name in header]
    package = scratch_dataset(ckan, f"odl-bench-upsert-{published_dataset}", "ベンチマーク: datastore_upsert")
    created = ckan.call(
        "datastore_create",
        {
            "resource": {"package_id": package["id"], "name": "upsert"},
            "fields": fields,
            "primary_key": list(contract.key),
        },
    )
    return str(created["resource_id"])


def purge_dataset(ckan: Ckan, name: str) -> None:
    """The dataset, its resources' DataStore tables (with the versions odl's loader keeps) and its revisions."""
    package = ckan.call("package_show", {"id": name})
    for resource in package.get("resources", []):
        with contextlib.suppress(RuntimeError):  # no DataStore table (a failed load)
            ckan.call("datastore_delete", {"resource_id": resource["id"], "force": True})
        kept = [f'odl_previous."{resource["id"]}__previous"', f'odl_staging."{resource["id"]}__next"']
        run_sql("; ".join(f"DROP TABLE IF EXISTS {table}" for table in kept), "datastore_default")
    ckan.call("dataset_purge", {"id": name})


def purge_scratch(ckan: Ckan) -> None:
    if not ckan.exists("organization_show", ORGANIZATION):
        return
    found = ckan.call("package_search", {"fq": f"organization:{ORGANIZATION}", "include_private": True, "rows": 100})
    for package in found["results"]:
        purge_dataset(ckan, package["name"])
    ckan.call("organization_purge", {"id": ORGANIZATION})


# ---------------------------------------------------------------------------------------------------
# xloader beside the stack


def xloader_ini(work: Path) -> Path:
    """state/ckan.ini plus xloader: same databases and storage, the plugin on, kanji headers kept."""
    ini = (STATE / "ckan.ini").read_text(encoding="utf-8")
    token = json.loads((STATE / "ckan.json").read_text(encoding="utf-8"))["api_token"]
    write_url = re.search(r"^ckan\.datastore\.write_url\s*=\s*(\S+)", ini, re.MULTILINE)
    if write_url is None:
        raise RuntimeError("state/ckan.ini has no ckan.datastore.write_url")
    jobs_db = write_url.group(1).rsplit("/", 1)[0] + f"/{XLOADER_JOBS_DB}"
    extra = "\n".join(
        [
            f"ckanext.xloader.jobs_db.uri = {jobs_db}",
            f"ckanext.xloader.api_token = {token}",
            "ckanext.xloader.unidecode_headers = false",
            f"ckanext.xloader.site_url = {XLOADER_URL}",
            "ckanext.xloader.job_timeout = 3600",
            # The stack allows 100 MB uploads; the benchmark's CSV of a million rows is larger.
            "ckan.max_resource_size = 4096",
        ]
    )
    ini = re.sub(r"^(ckan\.plugins\s*=.*)$", lambda m: f"{m.group(1)} xloader\n{extra}", ini, count=1, flags=re.M)
    ini = re.sub(r"^ckan\.max_resource_size\s*=\s*100\s*$", "", ini, flags=re.MULTILINE)
    path = work / "ckan-xloader.ini"
    processes.write_private(path, ini)
    return path


@contextmanager
def xloader_twin(work: Path) -> Iterator[Path]:
    """gunicorn on :5001 with the xloader ini (it serves xloader's downloads); stopped and the jobs DB dropped after.

    Yields the ini for `ckan xloader submit --sync`. xloader's queued path (`ckan jobs worker`) was tried
    first: the worker logs the job as started and finished, but xloader never runs it and it stays queued
    in Redis, so the benchmark runs the same job function through xloader's own synchronous command.
    """
    if port_open(XLOADER_PORT):
        raise RuntimeError(f"127.0.0.1:{XLOADER_PORT} is taken: the xloader comparison needs it")
    ini = xloader_ini(work)
    if run_sql(f"SELECT 1 FROM pg_database WHERE datname = '{XLOADER_JOBS_DB}'") != "1":
        run_sql(f'CREATE DATABASE "{XLOADER_JOBS_DB}" OWNER ckan_default')
    try:
        with twin_server("ckan-xloader", ini, XLOADER_PORT, work, timeout=600):
            yield ini
    finally:
        run_sql(f'DROP DATABASE IF EXISTS "{XLOADER_JOBS_DB}" WITH (FORCE)')


@contextmanager
def twin_server(name: str, ini: Path, port: int, work: Path, workers: int = 2, timeout: int = 120) -> Iterator[str]:
    """The stack's CKAN code served a second time by gunicorn (sync workers) on port with ini; yields its URL.

    Its PID file and log live under work, so stopping it never touches the stack's own CKAN.
    """
    if port_open(port):
        raise RuntimeError(f"127.0.0.1:{port} is taken: {name} needs it")
    serve = [
        str(CKAN_BIN / "gunicorn"),
        "--chdir",
        str(REPO_ROOT / "ckan"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
        "--no-control-socket",
        "wsgi:application",
    ]
    url = f"http://127.0.0.1:{port}"
    try:
        processes.start(name, serve, os.environ | {"CKAN_INI": str(ini)}, work)
        twin = Ckan(url)
        processes.wait_for(lambda: port_open(port) and _answers(twin), name, 120, work / "logs" / f"{name}.log")
        yield url
    finally:
        processes.stop(name, work)


def _answers(ckan: Ckan) -> bool:
    try:
        ckan.call("status_show")
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def xloader_load(ini: Path, final_csv: Path, run: int, rows: int) -> float:
    """Seconds from starting the upload to xloader's load completed, checked through datastore_search."""
    ckan = Ckan()
    name = f"odl-bench-xloader-{run}"
    package = scratch_dataset(ckan, name, "ベンチマーク: ckanext-xloader")
    started = time.perf_counter()
    with final_csv.open("rb") as handle:
        resource = ckan.call(
            "resource_create",
            {"package_id": package["id"], "name": final_csv.name, "format": "CSV"},
            files={"upload": (final_csv.name, handle, "text/csv")},
        )
    subprocess.run(
        [str(CKAN_BIN / "ckan"), "-c", str(ini), "xloader", "submit", name, "--sync"],
        env=os.environ | {"CKAN_INI": str(ini)},
        capture_output=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    loaded = ckan.call("datastore_search", {"resource_id": resource["id"], "limit": 0})["total"]
    if loaded != rows:
        raise RuntimeError(f"xloader loaded {loaded} rows of {rows}")
    return seconds


# ---------------------------------------------------------------------------------------------------
# The floor: psql \copy of the same CSV into a plain table


def floor_table_sql(published_dataset: str, header: list[str]) -> str:
    """CREATE TABLE with the DataStore's column types (text where the create stage has not landed)."""
    from transforms.contracts import load_published_contracts

    try:
        from transforms.publish.tables import datastore_type

        contract = load_published_contracts()[published_dataset]
        types = {column.name: datastore_type(column) for column in contract.columns}
    except ImportError:
        types = {}
    columns = ", ".join(f'"{name}" {types.get(name, "text")}' for name in header)
    return f'DROP TABLE IF EXISTS "{FLOOR_TABLE}"; CREATE TABLE "{FLOOR_TABLE}" ({columns});'


def copy_floor_command(final_csv: Path) -> list[str]:
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/datastore_default"
    copy = f"\\copy \"{FLOOR_TABLE}\" FROM '{final_csv}' WITH (FORMAT csv, HEADER true)"
    return ["psql", url, "-qX", "-v", "ON_ERROR_STOP=1", "-c", copy]


def prepare_floor(published_dataset: str, header: list[str]) -> None:
    run_sql(floor_table_sql(published_dataset, header), "datastore_default")


def drop_floor() -> None:
    run_sql(f'DROP TABLE IF EXISTS "{FLOOR_TABLE}"', "datastore_default")
