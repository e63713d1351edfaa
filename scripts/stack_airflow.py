"""The Airflow half of the embedded stack: metadata DB, its services under Local- or CeleryExecutor, Connections.

LocalExecutor is the default. With the Celery executor (`scripts/stack up --executor celery`, or
ODL_EXECUTOR=celery) the scheduler queues tasks in Redis and two `airflow celery worker` processes
run them, each with its own PID file and Celery hostname, as workers on other machines would.
Secrets (metadata DB password, JWT secret, Fernet key, admin password) are generated once into the
state folder (0600) and reused; nothing here prints them.
"""

import hashlib
import json
import os
import secrets
import subprocess
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scripts import processes
from scripts.services import ensure_database, ensure_login_role, port_open, run_sql

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = REPO_ROOT / ".venv" / "bin"
HOST, PORT = "127.0.0.1", 8080
METADATA_DB = ROLE = "odl_airflow"
ADMIN = "admin"
EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor"}
DEFAULT_EXECUTOR = "local"
REDIS = "redis://127.0.0.1:6379"
BROKER_DB = 0  # CKAN keeps its own data in Redis db 1
CELERY_WORKERS = 2
# Task slots per worker: two workers of two slots on this 2-core machine; a bigger machine raises it.
WORKER_CONCURRENCY = 2
# name → airflow subcommand; the api-server also serves the task execution API.
SERVICES = {
    "airflow-api-server": ["api-server", "--host", HOST, "--port", str(PORT)],
    "airflow-scheduler": ["scheduler"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
}


@dataclass(frozen=True)
class Site:
    """Where one Airflow of the stack runs: the shared one is :8080 on odl_airflow; a test may run its own beside it.

    settings are extra environment values every process of the site gets (a test's shorter timeouts, say).
    """

    port: int = PORT
    metadata_db: str = METADATA_DB  # also the name of its login role
    broker_db: int = BROKER_DB
    workers: int = CELERY_WORKERS
    settings: Mapping[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def services(self, executor: str) -> dict[str, list[str]]:
        """Every Airflow process of the site under executor: name → airflow subcommand."""
        found = {name: list(args) for name, args in SERVICES.items()}
        found["airflow-api-server"] = ["api-server", "--host", HOST, "--port", str(self.port)]
        if executor == "celery":
            for number in range(1, self.workers + 1):
                # One machine, so the workers skip serving logs (one port each would clash): the
                # api-server reads their task logs from the shared AIRFLOW_HOME instead.
                found[worker_name(number)] = [
                    "celery", "worker", "--celery-hostname", f"odl-worker-{number}@%h",
                    "--concurrency", str(WORKER_CONCURRENCY), "--skip-serve-logs",
                ]  # fmt: skip
        return found


LOCAL_SITE = Site()


def worker_name(number: int) -> str:
    return f"airflow-celery-worker-{number}"


def executor_from_environment() -> str:
    """ODL_EXECUTOR (local or celery) when `scripts/stack up` is given no --executor; local by default."""
    executor = os.environ.get("ODL_EXECUTOR", DEFAULT_EXECUTOR).strip().lower() or DEFAULT_EXECUTOR
    if executor not in EXECUTORS:
        raise ValueError(f"ODL_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    return executor


def _secrets(state_dir: Path) -> dict[str, str]:
    def generate() -> dict[str, str]:
        from cryptography.fernet import Fernet

        return {
            "db_password": secrets.token_urlsafe(24),
            "jwt_secret": secrets.token_urlsafe(48),
            "fernet_key": Fernet.generate_key().decode(),
            "admin_password": secrets.token_urlsafe(12),
        }

    return processes.stored_secrets(state_dir / "airflow-secrets.json", generate)


def _site_settings(state_dir: Path, site: Site, executor: str) -> dict[str, str]:
    """What the stack decides for every process of the site, secrets aside; a change restarts the site."""
    settings = {
        "AIRFLOW_HOME": str(state_dir / "airflow-home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__EXECUTOR": EXECUTORS[executor],
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{site.url}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(state_dir / "airflow-passwords.json"),
        "AIRFLOW__API__BASE_URL": site.url,
        # New DAG files show up within half a minute instead of five.
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
    }
    if executor == "celery":
        settings |= {
            "AIRFLOW__CELERY__BROKER_URL": f"{REDIS}/{site.broker_db}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
            # Celery's default, said out loud: a task's message is acknowledged only when it ends (acks_late),
            # and one a dead worker held is handed out again after this long. Airflow does not wait for
            # that: the scheduler fails a try whose heartbeats stop and queues the retry itself.
            "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "86400",
        }
    return settings | dict(site.settings)


def environment(
    state_dir: Path, keys: dict[str, str], site: Site = LOCAL_SITE, executor: str = DEFAULT_EXECUTOR
) -> dict[str, str]:
    """One environment for every Airflow process, so all share the JWT secret and Fernet key."""
    database = f"{site.metadata_db}:{keys['db_password']}@127.0.0.1:5432/{site.metadata_db}"
    env = (
        os.environ
        | {"ODL_DATA_ROOT": os.environ.get("ODL_DATA_ROOT", str(REPO_ROOT / "data"))}
        | _site_settings(state_dir, site, executor)
        | {
            "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
            "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{database}",
        }
    )
    if executor == "celery":  # Celery keeps task states in the metadata DB, as the compose file does
        env["AIRFLOW__CELERY__RESULT_BACKEND"] = f"db+postgresql://{database}"
    return env


def _ensure_role(password: str, site: Site) -> None:
    ensure_login_role(site.metadata_db, password)
    ensure_database(site.metadata_db, owner=site.metadata_db)


def api_answers(site: Site = LOCAL_SITE) -> bool:
    try:
        with urllib.request.urlopen(f"{site.url}/api/v2/version", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _connections(ckan: dict[str, Any]) -> dict[str, Any]:
    ckan_url, datastore = urlsplit(ckan["url"]), urlsplit(ckan["datastore_write_url"])
    return {
        "ckan_default": {
            "conn_type": "http",
            "host": ckan_url.hostname,
            "port": ckan_url.port,
            "schema": ckan_url.scheme,
            "password": ckan["api_token"],
            "description": "CKAN Action API (password = API token)",
        },
        "ckan_datastore": {
            "conn_type": "postgres",
            "host": datastore.hostname,
            "port": datastore.port or 5432,
            "login": datastore.username,
            "password": datastore.password,
            "schema": datastore.path.lstrip("/"),
            "description": "CKAN DataStore write database, for bulk COPY loads",
        },
    }


def _forget_connections(conn_ids: list[str], site: Site) -> None:
    """Drop the stack's own Connections before importing them again.

    The metadata DB may outlive the state folder (a new clone, a deleted state/): its rows are then
    encrypted with another Fernet key, and Airflow cannot even read them to overwrite them.
    """
    ids = ", ".join(f"'{conn_id}'" for conn_id in conn_ids)
    run_sql(f"DELETE FROM connection WHERE conn_id IN ({ids})", site.metadata_db)


def _airflow(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as handle:
        subprocess.run([str(VENV_BIN / "airflow"), *args], env=env, stdout=handle, stderr=subprocess.STDOUT, check=True)


def _all_service_names(site: Site) -> list[str]:
    """Every name the site may have a PID file under, whichever executor started it."""
    return list(site.services("celery"))


def _restart_if_settings_changed(state_dir: Path, site: Site, executor: str) -> None:
    """Another executor (or other settings) means every Airflow process restarts on the same new configuration.

    All of them, not only the scheduler: they share one configuration, and a half-switched site
    (say, workers left running after a switch back to LocalExecutor) would take tasks it should not.
    """
    fingerprint_file = state_dir / "airflow-settings.sha256"
    settings = json.dumps(_site_settings(state_dir, site, executor), sort_keys=True)
    digest = hashlib.sha256(settings.encode()).hexdigest()
    if fingerprint_file.exists() and fingerprint_file.read_text() != digest:
        for name in _all_service_names(site):
            processes.stop(name, state_dir)
    processes.write_private(fingerprint_file, digest)


def up(state_dir: Path, ckan: dict[str, Any], executor: str | None = None, site: Site = LOCAL_SITE) -> dict[str, str]:
    executor = executor or executor_from_environment()
    keys = _secrets(state_dir)
    env = environment(state_dir, keys, site, executor)
    log = state_dir / "logs" / "airflow-setup.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    processes.write_private(state_dir / "airflow-passwords.json", json.dumps({ADMIN: keys["admin_password"]}))
    _restart_if_settings_changed(state_dir, site, executor)
    processes.write_private(state_dir / "airflow-executor", executor)
    services = site.services(executor)
    for name in set(_all_service_names(site)) - set(services):  # workers of a Celery site switched back to local
        processes.stop(name, state_dir)
    running = all(processes.running_pid(state_dir / "pids" / f"{name}.pid") for name in services)
    if processes.running_pid(state_dir / "pids" / "airflow-api-server.pid") is None and port_open(site.port):
        raise RuntimeError(f"{HOST}:{site.port} is taken by a process this stack did not start; stop it first")
    if not (running and api_answers(site)):
        _ensure_role(keys["db_password"], site)
        _airflow(["db", "migrate"], env, log)
    connections = json.dumps(_connections(ckan), sort_keys=True)
    fingerprint = state_dir / "airflow-connections.sha256"
    digest = hashlib.sha256(connections.encode()).hexdigest()
    if not fingerprint.exists() or fingerprint.read_text() != digest:
        connections_file = state_dir / "airflow-connections.json"
        processes.write_private(connections_file, connections)
        _forget_connections(list(_connections(ckan)), site)
        _airflow(["connections", "import", "--overwrite", str(connections_file)], env, log)
        connections_file.unlink()
        processes.write_private(fingerprint, digest)
    for name, args in services.items():
        processes.start(name, [str(VENV_BIN / "airflow"), *args], env, state_dir)
    processes.wait_for(
        lambda: api_answers(site), "Airflow API server", timeout=120, log=state_dir / "logs" / "airflow-api-server.log"
    )
    return {"url": site.url, "login": ADMIN, "password": keys["admin_password"], "executor": executor}


def down(state_dir: Path, site: Site = LOCAL_SITE) -> list[str]:
    return [name for name in _all_service_names(site) if processes.stop(name, state_dir)]


def status(state_dir: Path, site: Site = LOCAL_SITE) -> list[str]:
    lines = []
    for name in _all_service_names(site):
        pid = processes.running_pid(state_dir / "pids" / f"{name}.pid")
        if pid or name in SERVICES:  # workers are listed while they run (Celery executor)
            lines.append(f"{name:24} {'running, pid ' + str(pid) if pid else 'stopped'}")
    executor_file = state_dir / "airflow-executor"
    executor = executor_file.read_text().strip() if executor_file.exists() else DEFAULT_EXECUTOR
    lines.append(f"{'Airflow executor':24} {EXECUTORS[executor]}")
    lines.append(f"{'Airflow UI':24} {site.url} ({'answers' if api_answers(site) else 'not answering'})")
    passwords = state_dir / "airflow-passwords.json"
    if passwords.exists():  # a local, loopback-only login: shown so the person at this machine can sign in
        lines.append(f"{'Airflow login':24} {ADMIN} / {json.loads(passwords.read_text())[ADMIN]}")
    return lines
