"""Issue 15: the public API under load and abuse, measured with Locust (`bench/locustfile.py`).

Four runs of `seconds` (60) each: 50 well-behaved citizens alone, then beside 10 abusers, against the
system under test (the stack's URL, the front door) and against "CKAN as it was": the same CKAN code
and databases served by a stock gunicorn (2 sync workers, timeout 120, no nginx, none of issue 15's
limits) that this step starts on a spare port and stops after. Each run is Locust in a child process
(`python -m bench.locustfile`: gevent patches the process it is imported in); it prints every request's
role, time and outcome, and `summarise` makes the table rows. Only citizens' figures decide the targets.

`python -m bench.load_test [--url URL] [--seconds 60] [--no-stock]` prints the whole result as JSON.
"""

import argparse
import json
import math
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "work" / "load"
CITIZENS, ABUSERS, SECONDS = 50, 10, 60
STOCK_PORT = 5091  # spare: the stack uses 5000 (and its internal CKAN port), the xloader twin 5001
CITIZEN, ABUSER = "citizen", "abuser"
FRONT_DOOR, STOCK = "front door", "CKAN as it was"
# The abusers' heavy SQL carries this alias, so what is left of it after a run can be found and cancelled.
ABUSE_MARK = "odl_load_abuse"
# What abusers do (Locust tags of their tasks); a run can be limited to some, to see what costs citizens most.
ABUSE_KINDS = ("sql", "offset", "dump", "burst")

# Outcomes of one request. For a citizen every outcome but OK is an error (a 429 included); for an
# abuser RATE_LIMITED and REFUSED are the front door doing its job.
OK = "ok"
RATE_LIMITED = "429 rate limited"
REFUSED = "4xx refused"
SERVER_ERROR = "5xx server error"
TIMEOUT = "timeout"
CONNECTION = "connection error"


def outcome(status: int, error_name: str | None = None) -> str:
    """What became of a request: its HTTP status, or the client's exception class when there was no answer."""
    if not status:
        return TIMEOUT if error_name and "timeout" in error_name.lower() else CONNECTION
    if status == 429:
        return RATE_LIMITED
    if status >= 500:
        return SERVER_ERROR
    if status >= 400:
        return REFUSED
    return OK


@dataclass(frozen=True)
class Request:
    role: str  # CITIZEN or ABUSER
    name: str  # the call, e.g. "package_search"
    started: float  # epoch seconds
    milliseconds: float
    outcome: str


def percentile(ordered: list[float], share: float) -> float | None:
    """Nearest-rank percentile of values sorted ascending (None when there are none)."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(requests_made: Iterable[Request], role: str, started: float, seconds: float) -> dict[str, Any]:
    """One role's row: requests, requests/s (answers within the run's seconds), p50/p95/p99 of every
    request (failed ones and those finished after the end included), errors by kind, calls by name."""
    mine = [r for r in requests_made if r.role == role]
    ordered = sorted(r.milliseconds for r in mine)
    finished_in_time = sum(1 for r in mine if r.started + r.milliseconds / 1000 <= started + seconds)
    outcomes = Counter(r.outcome for r in mine)
    errors = {kind: count for kind, count in sorted(outcomes.items()) if kind != OK}

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "requests": len(mine),
        "requests_per_s": round(finished_in_time / seconds, 1) if seconds else None,
        "p50_ms": rounded(percentile(ordered, 0.50)),
        "p95_ms": rounded(percentile(ordered, 0.95)),
        "p99_ms": rounded(percentile(ordered, 0.99)),
        "max_ms": rounded(ordered[-1] if ordered else None),
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "calls": {name: _call(mine, name) for name in sorted({r.name for r in mine})},
    }


def _call(requests_made: list[Request], name: str) -> dict[str, Any]:
    ordered = sorted(r.milliseconds for r in requests_made if r.name == name)
    p95 = percentile(ordered, 0.95)
    return {
        "requests": len(ordered),
        "p95_ms": None if p95 is None else round(p95, 1),
        "errors": sum(1 for r in requests_made if r.name == name and r.outcome != OK),
    }


# ---------------------------------------------------------------------------------------------------
# The catalog the simulated clients use, read once from the API


@dataclass
class Table:
    resource_id: str
    rows: int
    filters: list[dict[str, str]] = field(default_factory=list)  # {column: a value it holds}
    words: list[str] = field(default_factory=list)  # Japanese substrings of its cells, for `q`


@dataclass
class Catalog:
    datasets: list[str]
    words: list[str]  # Japanese words from the titles and tags, for package_search
    tables: list[Table]
    downloads: list[str]  # URL paths of the CSV files

    @property
    def largest_table(self) -> str:
        return max(self.tables, key=lambda table: table.rows).resource_id

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Catalog":
        data = json.loads(text)
        return cls(data["datasets"], data["words"], [Table(**t) for t in data["tables"]], data["downloads"])


JAPANESE_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ー]{2,}")


def japanese_words(texts: Iterable[str], count: int, seed: int = 15) -> list[str]:
    """Up to count distinct 2–3 character substrings of the Japanese runs in texts, drawn reproducibly."""
    candidates = sorted(
        {
            run[start : start + size]
            for text in texts
            for run in JAPANESE_RUN.findall(text or "")
            for size in (2, 3)
            for start in range(len(run) - size + 1)
        }
    )
    return random.Random(seed).sample(candidates, min(count, len(candidates)))


def published_dataset_names() -> list[str]:
    """The CKAN names `make demo` publishes: one per published contract (with the configured prefix)."""
    from transforms.contracts import load_published_contracts
    from transforms.publish.config import name_prefix

    return [f"{name_prefix()}{dataset}" for dataset in sorted(load_published_contracts())]


def discover(url: str, datasets: list[str]) -> Catalog:
    """The datasets of that list CKAN serves anonymously, their DataStore tables (filters and words drawn
    from their first rows) and CSV files. A 429 here is waited out as its Retry-After asks."""
    found, titles, tables, downloads = [], [], [], []
    for name in datasets:
        package = _action(url, "package_show", {"id": name})
        if package is None:
            continue
        found.append(name)
        titles += [package.get("title") or "", *(tag["name"] for tag in package.get("tags", []))]
        for resource in package.get("resources", []):
            if resource.get("datastore_active"):
                table = _table(url, resource["id"])
                if table is not None:
                    tables.append(table)
            elif (resource.get("format") or "").upper() == "CSV" and resource.get("url"):
                downloads.append(re.sub(r"^https?://[^/]+", "", resource["url"]))
    return Catalog(found, japanese_words(titles, 20), tables, downloads)


def _table(url: str, resource_id: str) -> Table | None:
    result = _action(url, "datastore_search", {"resource_id": resource_id, "limit": 50})
    if result is None:
        return None
    text_columns = [f["id"] for f in result["fields"] if f["type"] == "text" and not f["id"].startswith("_")]
    values = [
        (column, record[column])
        for record in result["records"]
        for column in text_columns
        if isinstance(record.get(column), str) and 0 < len(record[column]) <= 60
    ]
    rng = random.Random(resource_id)
    filters = [{column: value} for column, value in rng.sample(sorted(set(values)), min(5, len(set(values))))]
    words = japanese_words((value for _, value in values), 5)
    return Table(resource_id, int(result.get("total") or 0), filters, words)


def _action(url: str, action: str, params: dict[str, Any]) -> Any:
    """An anonymous GET of an action; None when CKAN says no (not found, not authorized)."""
    for _ in range(10):
        response = requests.get(f"{url}/api/3/action/{action}", params=params, timeout=60)
        if response.status_code == 429:
            time.sleep(float(response.headers.get("Retry-After") or 1))
            continue
        if response.status_code in (403, 404):
            return None
        response.raise_for_status()
        return response.json()["result"]
    raise RuntimeError(f"{action}: still 429 after ten waits")


# ---------------------------------------------------------------------------------------------------
# The runs


def run_locust(
    url: str, catalog: Path, citizens: int, abusers: int, seconds: int, abuse: tuple[str, ...] = ABUSE_KINDS
) -> dict[str, Any]:
    """One Locust run in a child process; its summary, with the machine's load average around it."""
    from bench.measure import run_child

    command = [
        sys.executable,
        "-m",
        "bench.locustfile",
        url,
        str(catalog),
        str(citizens),
        str(abusers),
        str(seconds),
        ",".join(abuse),
    ]
    load_before, cpu_before = os.getloadavg()[0], cpu_ticks()
    output = run_child(command, env=os.environ | {"PYTHONPATH": str(REPO_ROOT)}).output
    if "citizen" not in output:
        raise RuntimeError(f"Locust printed no summary for {url}")
    return output | {
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "machine_cpu_busy_percent": busy_percent(cpu_before, cpu_ticks()),
    }


def cpu_ticks() -> tuple[int, int]:
    """The machine's (busy, all) CPU ticks since boot, from /proc/stat (idle and iowait are not busy)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def busy_percent(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    elapsed = after[1] - before[1]
    return round(100 * (after[0] - before[0]) / elapsed, 1) if elapsed else None


def cancel_abusive_queries() -> int:
    """Cancel what is left of the abusers' heavy SQL (a stock CKAN lets it run for 60 s after the client left)."""
    from scripts.services import run_sql

    cancelled = run_sql(
        "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity "
        f"WHERE query LIKE '%{ABUSE_MARK}%' AND pid <> pg_backend_pid()"
    )
    return int(cancelled or 0)


def stock_ini(work: Path, port: int) -> tuple[Path, list[str]]:
    """state/ckan.ini as it was before issue 15: its own site_url, without the limits' plugin and settings
    (ckanext.odl.api.* and any other limit, timeout, rate or cap of ckanext-odl, the DataStore's rows_max) and without handing files to
    nginx (USE_X_SENDFILE: the worker sends them itself, as stock CKAN does); returns what was removed."""
    from bench.ckan_side import STATE
    from scripts import processes

    removed: list[str] = []
    kept = []
    for line in (STATE / "ckan.ini").read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip()
        if LIMIT_KEY.match(key):
            removed.append(key)
            continue
        if key == "ckan.plugins":
            plugins = line.split("=", 1)[1].split()
            removed += [p for p in plugins if LIMIT_PLUGIN.search(p)]
            line = "ckan.plugins = " + " ".join(p for p in plugins if not LIMIT_PLUGIN.search(p))
        elif key == "ckan.site_url":
            line = f"ckan.site_url = http://127.0.0.1:{port}"
        kept.append(line)
    path = work / "ckan-stock.ini"
    processes.write_private(path, "\n".join(kept) + "\n")
    return path, removed


LIMIT_KEY = re.compile(
    r"^(ckanext\.odl\.api\..*|ckanext\.odl\..*(limit|timeout|rate|max|concurren).*"
    r"|ckan\.datastore\.search\.rows_max|USE_X_SENDFILE)$"
)
LIMIT_PLUGIN = re.compile(r"limit", re.IGNORECASE)


def measure(
    url: str,
    datasets: list[str],
    seconds: int = SECONDS,
    citizens: int = CITIZENS,
    abusers: int = ABUSERS,
    stock: bool = True,
    abuse: tuple[str, ...] = ABUSE_KINDS,
) -> dict[str, Any]:
    """The four runs (two with stock=False) and what they ran on."""
    from bench import ckan_side

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    catalog = discover(url, datasets)
    if not catalog.tables or not catalog.words:
        raise RuntimeError(f"no published DataStore tables at {url} among {len(datasets)} datasets: run `make demo`")
    catalog_file = WORK_DIR / "catalog.json"
    catalog_file.write_text(catalog.to_json(), encoding="utf-8")
    runs = []
    for with_abusers in (0, abusers):
        run = run_locust(url, catalog_file, citizens, with_abusers, seconds, abuse)
        runs.append({"system": FRONT_DOOR, "url": url} | run)
        cancel_abusive_queries()
    removed: list[str] = []
    stock_failure = None
    if stock:
        ini, removed = stock_ini(WORK_DIR, STOCK_PORT)
        try:
            with ckan_side.twin_server("ckan-stock", ini, STOCK_PORT, WORK_DIR, workers=2, timeout=120) as stock_url:
                for with_abusers in (0, abusers):
                    run = run_locust(stock_url, catalog_file, citizens, with_abusers, seconds, abuse)
                    runs.append({"system": STOCK, "url": stock_url} | run)
                    cancel_abusive_queries()
        except (RuntimeError, TimeoutError, OSError) as failure:  # the front door's runs still stand
            stock_failure = str(failure).strip().splitlines()[-1][:300]
    return {
        "seconds": seconds,
        "citizens": citizens,
        "abusers": abusers,
        "abuse": list(abuse),
        "catalog": {
            "datasets": len(catalog.datasets),
            "tables": len(catalog.tables),
            "downloads": len(catalog.downloads),
            "words": len(catalog.words),
        },
        "stock_settings_removed": removed,
        "stock_failure": stock_failure,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpus": os.cpu_count(),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    from bench.ckan_side import Ckan

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="the system under test (default: the stack's CKAN URL)")
    parser.add_argument("--seconds", type=int, default=SECONDS)
    parser.add_argument("--citizens", type=int, default=CITIZENS)
    parser.add_argument("--abusers", type=int, default=ABUSERS)
    parser.add_argument("--no-stock", action="store_true", help="skip the two runs against CKAN as it was")
    parser.add_argument("--abuse", nargs="+", choices=ABUSE_KINDS, default=list(ABUSE_KINDS), help="what abusers do")
    parser.add_argument("--datasets", nargs="*", help="CKAN dataset names (default: every published contract)")
    args = parser.parse_args(argv)
    result = measure(
        args.url or Ckan().url,
        args.datasets or published_dataset_names(),
        args.seconds,
        args.citizens,
        args.abusers,
        stock=not args.no_stock,
        abuse=tuple(args.abuse),
    )
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
