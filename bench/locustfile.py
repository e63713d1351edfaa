"""Locust users for issue 15's load and abuse test: well-behaved citizens and abusers of CKAN's public API.

Citizens search the catalog in Japanese, open datasets, query DataStore tables with filters and with
Japanese `q`, and download CSV files, pausing 1–3 s between calls. Abusers send the expensive calls
issue 15 names — `datastore_search_sql` of a billion-row generate_series, deep offsets, full dumps —
and bursts of 30 calls without waiting, ignoring Retry-After. Every simulated client connects from a
loopback address of its own (citizens 127.1.0.x, abusers 127.2.0.x), so per-client limits see one
client per user, as on the internet.

Headless with the catalog read from the API (from the repository root):
    PYTHONPATH=. .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:5000 --headless -u 60 -r 10 -t 60s
(`-u 60`: 50 citizens and 10 abusers; Locust's own table names the abusers' calls "abuse: …")
As `make bench` runs it (one run, the summary as one JSON line on stdout):
    python -m bench.locustfile <url> <catalog.json> <citizens> <abusers> <seconds> <sql,offset,dump,burst>
"""

import itertools
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import gevent
import locust
import psutil
from locust import HttpUser, User, between, events, tag, task
from locust.env import Environment
from requests.adapters import HTTPAdapter

from bench.load_test import (
    ABUSE_KINDS,
    ABUSE_MARK,
    ABUSER,
    ABUSERS,
    CITIZEN,
    Catalog,
    Request,
    discover,
    outcome,
    published_dataset_names,
    summarise,
)

CATALOG: Catalog | None = None
RECORDS: list[Request] = []
SPAWN_RATE = 10  # users started per second
ANSWER_SECONDS = 30  # a client gives up waiting for an answer after that (after the run's length if shorter)
_addresses = {CITIZEN: itertools.count(1), ABUSER: itertools.count(1)}


class _FromAddress(HTTPAdapter):
    """Connections from one loopback source address."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def _loopback(role: str) -> str:
    number = next(_addresses[role])
    return f"127.{1 if role == CITIZEN else 2}.{number // 250}.{number % 250 + 1}"


class _PublicClient(HttpUser):
    abstract = True
    role = CITIZEN
    timeout: tuple[float, float] = (10, ANSWER_SECONDS)  # to connect, to wait for an answer

    def on_start(self) -> None:
        self.client.mount("http://", _FromAddress(_loopback(self.role)))
        self.rng = random.Random()

    def context(self) -> dict[str, Any]:
        return {"role": self.role}

    @property
    def catalog(self) -> Catalog:
        assert CATALOG is not None, "the catalog is read at test start"
        return CATALOG

    def action(self, name: str, params: dict[str, Any], label: str | None = None) -> None:
        self.client.get(f"/api/3/action/{name}", params=params, name=label or name, timeout=self.timeout)


class Citizen(_PublicClient):
    """What the demo's README shows citizens and app builders doing, at a human pace."""

    wait_time = between(1, 3)

    @task(3)
    def package_search(self) -> None:
        self.action("package_search", {"q": self.rng.choice(self.catalog.words), "rows": 10})

    @task(3)
    def package_show(self) -> None:
        self.action("package_show", {"id": self.rng.choice(self.catalog.datasets)})

    @task(2)
    def datastore_search_filters(self) -> None:
        table = self.rng.choice([t for t in self.catalog.tables if t.filters] or self.catalog.tables)
        filters = self.rng.choice(table.filters) if table.filters else {}
        params = {"resource_id": table.resource_id, "filters": json.dumps(filters, ensure_ascii=False), "limit": 100}
        self.client.get(
            "/api/3/action/datastore_search", params=params, name="datastore_search filters", timeout=self.timeout
        )

    @task(2)
    def datastore_search_q(self) -> None:
        table = self.rng.choice([t for t in self.catalog.tables if t.words] or self.catalog.tables)
        params = {"resource_id": table.resource_id, "q": self.rng.choice(table.words or self.catalog.words)}
        self.client.get(
            "/api/3/action/datastore_search", params=params, name="datastore_search q", timeout=self.timeout
        )

    @task(1)
    def download_csv(self) -> None:
        if self.catalog.downloads:
            self.client.get(self.rng.choice(self.catalog.downloads), name="CSV download", timeout=self.timeout)


class Abuser(_PublicClient):
    """Expensive calls and bursts without waiting; a short pause between attacks keeps the load generator
    (on the same cores as the server) from taking the CPU the server needs."""

    role = ABUSER
    fixed_count = ABUSERS  # under the locust command, `-u 60` is 50 citizens and 10 abusers
    wait_time = between(0.1, 0.5)

    @tag("sql")
    @task(3)
    def huge_sql(self) -> None:
        sql = f"SELECT count(*) AS {ABUSE_MARK} FROM generate_series(1,1000000000)"
        self.action("datastore_search_sql", {"sql": sql}, "abuse: datastore_search_sql generate_series")

    @tag("offset")
    @task(2)
    def deep_offset(self) -> None:
        params = {"resource_id": self.catalog.largest_table, "offset": self.rng.randint(10**5, 10**7), "limit": 1000}
        self.action("datastore_search", params, "abuse: datastore_search deep offset")

    @tag("dump")
    @task(1)
    def dump(self) -> None:
        self.client.get(
            f"/datastore/dump/{self.catalog.largest_table}", name="abuse: datastore dump", timeout=self.timeout
        )

    @tag("burst")
    @task(2)
    def burst(self) -> None:
        for _ in range(30):
            self.action("package_show", {"id": self.rng.choice(self.catalog.datasets)}, "abuse: package_show burst")


@events.test_start.add_listener
def _read_catalog(environment: Environment, **_: Any) -> None:
    """Under the locust command (no catalog given): read it from the API of the host under test."""
    global CATALOG
    if CATALOG is None:
        assert environment.host, "--host is required"
        CATALOG = discover(environment.host.rstrip("/"), published_dataset_names())


@events.request.add_listener
def _record(
    name: str, start_time: float, response_time: float, response: Any, context: dict[str, Any], **_: Any
) -> None:
    error = getattr(response, "error", None)
    status = int(getattr(response, "status_code", 0) or 0)
    kind = outcome(status, type(error).__name__ if error is not None else None)
    RECORDS.append(Request(context.get("role", CITIZEN), name, start_time, response_time, kind))


def run(
    url: str, catalog: Catalog, citizens: int, abusers: int, seconds: float, abuse: tuple[str, ...] = ABUSE_KINDS
) -> dict[str, Any]:
    """citizens (and abusers doing the kinds of abuse named) for seconds; the summary of each role and the
    load generator's own CPU use."""
    global CATALOG
    CATALOG = catalog
    Abuser.fixed_count = abusers
    user_classes: list[type[User]] = [Citizen, Abuser] if abusers else [Citizen]
    answer_seconds = min(ANSWER_SECONDS, seconds)  # a run of a few seconds (the tests') waits less
    _PublicClient.timeout = (10, answer_seconds)
    # At the end every user finishes the call it is in, so a slow answer or a timeout is still counted.
    environment = Environment(
        user_classes=user_classes,
        host=url,
        events=events,
        stop_timeout=answer_seconds + 5,
        exclude_tags=[kind for kind in ABUSE_KINDS if kind not in abuse],  # citizens' tasks carry no tag
    )
    runner = environment.create_local_runner()
    generator = psutil.Process()
    generator.cpu_percent()
    cpu: list[float] = []
    started = time.time()
    runner.start(citizens + abusers, spawn_rate=SPAWN_RATE)
    while time.time() < started + seconds:
        gevent.sleep(1)
        cpu.append(generator.cpu_percent())
    runner.stop()
    runner.quit()
    return {
        "citizens": citizens,
        "abusers": abusers,
        "seconds": seconds,
        "citizen": summarise(RECORDS, CITIZEN, started, seconds),
        "abuser": summarise(RECORDS, ABUSER, started, seconds) if abusers else None,
        "locust": locust.__version__,
        "generator_cpu_percent_max": max(cpu, default=0.0),
        "generator_cpu_percent_mean": round(sum(cpu) / len(cpu), 1) if cpu else 0.0,
    }


if __name__ == "__main__":
    target, catalog_file, citizen_count, abuser_count, duration, kinds = sys.argv[1:7]
    found = Catalog.from_json(Path(catalog_file).read_text(encoding="utf-8"))
    summary = run(target, found, int(citizen_count), int(abuser_count), float(duration), tuple(kinds.split(",")))
    print(json.dumps(summary, ensure_ascii=False))
