"""Airflow on the Celery executor: two workers carry a submission store → connect → create, one dies mid-task.

The test runs a Celery site of its own beside the shared stack (its own state folder, metadata DB,
Redis db, api-server port and log ports) against the shared CKAN, under a name prefix it purges.
Its catalog is a copy holding one dataset (aed-locations, 医療保健部), so only three DAGs run.

The publish task is stopped at a known point without touching product code: its CKAN Connection
goes through a pass-through TCP proxy that holds the first `package_patch` (step 5 of a publish:
the DataStore rows and files are in, the metadata names the version last). The test then kills the
worker whose task made that call, with every process under it (SIGKILL, as when its machine dies),
and the held request never reaches CKAN. Settings of this site, and why:

- task_instance_heartbeat_timeout 30 s (default 300): the task supervisor heartbeats every 5 s
  ([workers] min_heartbeat_interval); a try silent for 30 s is failed by the scheduler, which checks
  every 5 s (task_instance_heartbeat_timeout_detection_interval, default 10) and schedules the retry
  (DAG defaults: retries 2, retry_delay 30 s). Celery's own redelivery plays no part: with acks_late
  the killed worker's message stays unacknowledged in Redis until its visibility timeout (24 h), and
  should it come back, the api-server refuses to run a try that is no longer queued.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import processes, stack_airflow
from scripts.services import run_sql
from tests.ckan.conftest import ckan_stack  # noqa: F401 (session fixture: the shared CKAN up)
from tests.test_docker_compose import docker_compose, resolved, services  # noqa: F401 (the resolved compose file)

REPO_ROOT = Path(__file__).resolve().parents[2]
DATASET, DEPARTMENT = "aed-locations", "health"
CREATE_DAG = "create_aed_locations"
METADATA_DB = "odl_airflow_celery_test"
BROKER_DB = 3  # the shared stack's broker is db 0, CKAN's db 1
SITE_SETTINGS = {
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    # The shared stack's triggerer and scheduler hold the default log-server ports 8794 and 8793.
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "8795",
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "8796",
}
PIPELINE_TIMEOUT = 300


class HoldingProxy:
    """TCP pass-through to CKAN that holds the first request for one action and never forwards it.

    owner(peer_port) names the process that opened each connection; it runs while the connection is open.
    """

    def __init__(self, target: tuple[str, int], action: str, owner: Callable[[int], str | None]) -> None:
        self.target, self.marker, self.owner = target, f"/action/{action}".encode(), owner
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.server.getsockname()[1]
        self.held = threading.Event()
        self.held_by: str | None = None
        self.connections: list[tuple[float, str | None]] = []  # (when, owner) of every connection
        self._drop = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, (_, peer_port) = self.server.accept()
            except OSError:
                return
            owner = self.owner(peer_port)
            self.connections.append((time.monotonic(), owner))
            threading.Thread(target=self._serve, args=(client, owner), daemon=True).start()

    def _serve(self, client: socket.socket, owner: str | None) -> None:
        upstream = socket.create_connection(self.target)
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        tail = b""
        with contextlib.suppress(OSError), client, upstream:
            while data := client.recv(65536):
                with self._lock:
                    hold = not self.held.is_set() and self.marker in tail + data
                    if hold:
                        self.held_by = owner
                        self.held.set()
                if hold:
                    self._drop.wait()
                    return  # closed unsent: the killed machine's request never reaches CKAN
                upstream.sendall(data)
                tail = data[-len(self.marker) :]

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def drop_held(self) -> None:
        self._drop.set()

    def close(self) -> None:
        self._drop.set()
        self.server.close()


def _parents() -> dict[int, int]:
    found = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                found[int(proc.name)] = int((proc / "stat").read_text().split(") ")[-1].split()[1])
    return found


def _ancestors(pid: int, parents: dict[int, int]) -> list[int]:
    chain = [pid]
    while chain[-1] in parents and parents[chain[-1]] > 1:
        chain.append(parents[chain[-1]])
    return chain


def _descendants(pid: int, parents: dict[int, int]) -> set[int]:
    found, frontier = {pid}, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _process_with_client_port(port: int, server_port: int) -> int | None:
    """The process holding the local TCP socket 127.0.0.1:port connected to server_port."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and int(fields[2].rsplit(":", 1)[1], 16) == server_port:
                inodes.add(f"socket:[{fields[9]}]")
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        with contextlib.suppress(OSError):
            if os.readlink(fd) in inodes:
                return int(fd.parts[2])
    return None


def kill_machine(pid: int) -> None:
    """SIGKILL pid and every process under it, whatever its process group (the task runs in its own)."""
    victims: set[int] = set()
    for signum in (signal.SIGSTOP, signal.SIGKILL):  # frozen first, so nothing forks while the tree is listed
        victims = _descendants(pid, _parents())
        for victim in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signum)
    processes.wait_for(
        lambda: all(processes._is_zombie(Path(f"/proc/{victim}")) for victim in victims),
        "the worker's death",
        timeout=30,
    )


class CelerySite:
    def __init__(self, state_dir: Path, data_root: Path, catalog: Path, prefix: str) -> None:
        self.state_dir, self.data_root, self.catalog, self.prefix = state_dir, data_root, catalog, prefix
        self.site = stack_airflow.Site(
            port=8093,
            metadata_db=METADATA_DB,
            broker_db=BROKER_DB,
            settings=SITE_SETTINGS
            | {"ODL_DATA_ROOT": str(data_root), "ODL_CATALOG_DIR": str(catalog), "ODL_CKAN_NAME_PREFIX": prefix},
        )
        self.login: dict[str, str] = {}

    def up(self, executor: str, ckan: dict[str, str]) -> dict[str, str]:
        self.login = stack_airflow.up(self.state_dir, ckan, executor, self.site)
        return self.login

    def pid(self, name: str) -> int | None:
        return processes.running_pid(self.state_dir / "pids" / f"{name}.pid")

    def workers(self) -> dict[str, int]:
        """Worker name → PID of the Celery workers that run."""
        names = [stack_airflow.worker_name(n) for n in range(1, self.site.workers + 1)]
        return {name: pid for name in names if (pid := self.pid(name))}

    def worker_of(self, pid: int | None) -> str | None:
        if pid is None:
            return None
        chain = _ancestors(pid, _parents())
        return next((name for name, worker in self.workers().items() if worker in chain), None)

    def api(self, path: str) -> Any:
        token = json.load(
            urllib.request.urlopen(
                urllib.request.Request(
                    f"{self.site.url}/auth/token",
                    data=json.dumps({"username": self.login["login"], "password": self.login["password"]}).encode(),
                    headers={"Content-Type": "application/json"},
                ),
                timeout=10,
            )
        )["access_token"]
        request = urllib.request.Request(f"{self.site.url}{path}", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def celery_ping(self) -> dict[str, Any]:
        """The Celery nodes that answer on this site's broker."""
        keys = json.loads((self.state_dir / "airflow-secrets.json").read_text())
        env = stack_airflow.environment(self.state_dir, keys, self.site, "celery")
        app = "airflow.providers.celery.executors.celery_executor.app"
        result = subprocess.run(
            [str(stack_airflow.VENV_BIN / "celery"), "--app", app, "inspect", "ping", "--json", "--timeout", "5"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        answered: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}
        return answered


def one_dataset_catalog(target: Path) -> Path:
    """A copy of catalog/ with only aed-locations and its department: three DAGs instead of thirty."""
    shutil.copytree(REPO_ROOT / "catalog", target)
    for folder in (target / "datasets").iterdir():
        if folder.is_dir() and folder.name != DATASET:
            shutil.rmtree(folder)
    departments = yaml.safe_load((target / "departments.yaml").read_text(encoding="utf-8"))
    kept = [department for department in departments if department["id"] == DEPARTMENT]
    (target / "departments.yaml").write_text(yaml.safe_dump(kept, allow_unicode=True), encoding="utf-8")
    return target


def _fresh_broker_and_metadata_db() -> None:
    """This test's own Redis db and metadata DB start empty: no message or run of an earlier run comes back."""
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=BROKER_DB).flushdb()
    run_sql(f'DROP DATABASE IF EXISTS "{METADATA_DB}" WITH (FORCE)')


@pytest.fixture(scope="module")
def celery_site(
    ckan_stack: dict[str, str],  # noqa: F811
    request: pytest.FixtureRequest,
) -> Iterator[tuple[CelerySite, HoldingProxy]]:
    from urllib.parse import urlsplit

    from tests.transforms.publish.conftest import purge
    from transforms.publish.ckan_client import CkanClient
    from transforms.publish.datastore import DatastoreLoader

    # Outside pytest's rotating tmp folders, so the site's logs outlive a failed run; removed after a passing one.
    scratch = Path(tempfile.mkdtemp(prefix="odl-celery-test-"))
    prefix = f"odl-test-{os.urandom(4).hex()}-"
    site = CelerySite(scratch / "state", scratch / "data", one_dataset_catalog(scratch / "catalog"), prefix)
    site.state_dir.mkdir(mode=0o700)
    ckan = urlsplit(ckan_stack["url"])
    proxy = HoldingProxy(
        (ckan.hostname or "127.0.0.1", ckan.port or 80),
        "package_patch",
        lambda peer: site.worker_of(_process_with_client_port(peer, proxy.port)),
    )
    _fresh_broker_and_metadata_db()
    failed_before = request.session.testsfailed  # a failed run keeps the site's logs in scratch
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ODL_CATALOG_DIR", str(site.catalog))
        patch.setenv("ODL_DATA_ROOT", str(site.data_root))
        try:
            site.up("celery", ckan_stack | {"url": f"http://127.0.0.1:{proxy.port}"})
            if len(site.workers()) < site.site.workers:  # fail at once, not after waiting for a pipeline
                pytest.fail(f"a Celery worker exited at start; see {site.state_dir / 'logs'}")
            yield site, proxy
        finally:
            stack_airflow.down(site.state_dir, site.site)
            proxy.close()
            purge(
                CkanClient(ckan_stack["url"], ckan_stack["api_token"]),
                DatastoreLoader(ckan_stack["datastore_write_url"]),
                prefix,
            )
            import redis

            redis.Redis(host="127.0.0.1", port=6379, db=BROKER_DB).flushdb()
            if request.session.testsfailed == failed_before:
                shutil.rmtree(scratch)


def _ledger(data_root: Path, name: str) -> list[dict[str, Any]]:
    path = data_root / "ledger" / name
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _publish_task(site: CelerySite) -> dict[str, Any] | None:
    runs = site.api(f"/api/v2/dags/{CREATE_DAG}/dagRuns")["dag_runs"]
    if not runs:
        return None
    found: dict[str, Any] = site.api(f"/api/v2/dags/{CREATE_DAG}/dagRuns/{runs[0]['dag_run_id']}/taskInstances/publish")
    return found


@pytest.mark.integration
def test_two_workers_answer_under_their_own_celery_hostnames(celery_site: tuple[CelerySite, HoldingProxy]) -> None:
    site, _ = celery_site
    assert sorted(site.workers()) == ["airflow-celery-worker-1", "airflow-celery-worker-2"]
    deadline = time.monotonic() + 60
    nodes: dict[str, Any] = {}
    while time.monotonic() < deadline and len(nodes) < 2:
        nodes = site.celery_ping()
    assert sorted(name.split("@")[0] for name in nodes) == ["odl-worker-1", "odl-worker-2"]
    assert site.api("/api/v2/version")["version"] == "3.3.2"


@pytest.mark.integration
def test_a_submission_is_published_once_though_its_worker_dies_mid_publish(
    celery_site: tuple[CelerySite, HoldingProxy],
    ckan_stack: dict[str, str],  # noqa: F811
) -> None:
    from transforms.contracts import load_departments
    from transforms.publish.ckan_client import CkanClient
    from transforms.store import submit

    site, proxy = celery_site
    fixture = site.catalog / "datasets" / DATASET / "fixture.csv"
    submit(fixture, load_departments()[DEPARTMENT], DATASET, site.data_root)

    # store → connect → create on the workers, until the publish task asks CKAN for package_patch.
    assert proxy.held.wait(PIPELINE_TIMEOUT), f"publish never reached package_patch; see {site.state_dir / 'logs'}"
    task = _publish_task(site)
    assert task is not None and (task["state"], task["try_number"]) == ("running", 1)
    victim = proxy.held_by
    assert victim in site.workers(), f"the held request came from {victim}, not a worker"
    survivor = next(name for name in site.workers() if name != victim)

    killed_at = time.monotonic()
    kill_machine(site.workers()[victim])
    proxy.drop_held()
    assert victim not in site.workers()

    deadline = time.monotonic() + PIPELINE_TIMEOUT
    while time.monotonic() < deadline and (task := _publish_task(site) or {}).get("state") != "success":
        assert task.get("state") != "failed", task
        time.sleep(3)
    retried_after = time.monotonic() - killed_at
    assert (task["state"], task["try_number"]) == ("success", 2), task
    # Every CKAN connection after the kill came from the surviving worker: the retry ran there.
    after_kill = {owner for when, owner in proxy.connections if when > killed_at}
    assert after_kill == {survivor}, after_kill
    print(f"killed {victim}; retried on {survivor}, published {retried_after:.0f} s after the kill")

    # Published exactly once: one dataset, its three resources, the curated version, every row once.
    curated = json.loads((site.data_root / "curated" / DATASET / "latest.json").read_text())
    ckan = CkanClient(ckan_stack["url"], ckan_stack["api_token"])
    names = [name for name in ckan.call("package_list", {}) if name.startswith(site.prefix)]
    assert names == [f"{site.prefix}{DATASET}"]
    package = ckan.call("package_show", {"id": f"{site.prefix}{DATASET}"})
    assert package["version"] == curated["version"]
    assert sorted(resource["odl_role"] for resource in package["resources"]) == ["csv", "datastore", "parquet"]
    datastore = next(resource for resource in package["resources"] if resource.get("datastore_active"))
    total = ckan.call("datastore_search", {"resource_id": datastore["id"], "limit": 0})["total"]
    assert total == curated["rows"]

    # Nothing lost, nothing twice: one accepted submission, one connect run, one publish line.
    assert [s["outcome"] for s in _ledger(site.data_root, "submissions.jsonl")] == ["accepted"]
    assert [c["outcome"] for c in _ledger(site.data_root, "connect.jsonl")] == ["curated"]
    assert [(p["outcome"], p["version"]) for p in _ledger(site.data_root, "publish.jsonl")] == [
        ("published", curated["version"])
    ]
    assert not any((site.data_root / "inbox" / DEPARTMENT).iterdir())


@pytest.mark.integration
def test_switching_executor_restarts_airflow_and_stops_or_starts_the_workers(
    celery_site: tuple[CelerySite, HoldingProxy],
    ckan_stack: dict[str, str],  # noqa: F811
) -> None:
    site, proxy = celery_site
    ckan = ckan_stack | {"url": f"http://127.0.0.1:{proxy.port}"}
    scheduler = site.pid("airflow-scheduler")
    site.up("local", ckan)
    assert site.workers() == {}
    assert site.pid("airflow-scheduler") not in (None, scheduler)
    assert "Airflow executor         LocalExecutor" in stack_airflow.status(site.state_dir, site.site)
    scheduler = site.pid("airflow-scheduler")
    site.up("celery", ckan)
    assert sorted(site.workers()) == ["airflow-celery-worker-1", "airflow-celery-worker-2"]
    assert site.pid("airflow-scheduler") not in (None, scheduler)
    assert site.api("/api/v2/version")["version"] == "3.3.2"


def test_compose_workers_scale_and_share_what_a_worker_needs(
    services: dict[str, dict[str, Any]],  # noqa: F811
) -> None:
    """`--scale airflow-worker=N` needs a service without a fixed container name or host port."""
    worker, scheduler = services["airflow-worker"], services["airflow-scheduler"]
    assert worker["command"] == ["celery", "worker"]
    assert "container_name" not in worker and not worker.get("ports")
    for shared in (
        "AIRFLOW__CORE__EXECUTOR",
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CELERY__RESULT_BACKEND",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "ODL_DATA_ROOT",
    ):
        assert worker["environment"][shared] == scheduler["environment"][shared], shared
    data = worker["environment"]["ODL_DATA_ROOT"]
    # docker-compose 1.x resolves a volume to "source:target:mode"
    assert any(str(volume).split(":")[:2] == ["odl-data", data] for volume in worker["volumes"]), worker["volumes"]
