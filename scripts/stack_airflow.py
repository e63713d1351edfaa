"""The Airflow half of the embedded stack: metadata DB, four services under LocalExecutor, Connections.

Secrets (metadata DB password, JWT secret, Fernet key, admin password) are
generated once into the state folder (0600) and reused; nothing here prints them.
"""

import hashlib
import json
import os
import secrets
import subprocess
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scripts import processes
from scripts.services import ensure_database, ensure_login_role, run_sql

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = REPO_ROOT / ".venv" / "bin"
HOST, PORT = "127.0.0.1", 8080
METADATA_DB = ROLE = "odl_airflow"
ADMIN = "admin"
# name → airflow subcommand; the api-server also serves the task execution API.
SERVICES = {
    "airflow-api-server": ["api-server", "--host", HOST, "--port", str(PORT)],
    "airflow-scheduler": ["scheduler"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
}


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


def environment(state_dir: Path, keys: dict[str, str]) -> dict[str, str]:
    """One environment for every Airflow process, so all share the JWT secret and Fernet key."""
    home = state_dir / "airflow-home"
    return os.environ | {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{HOST}:{PORT}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(state_dir / "airflow-passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
        "AIRFLOW__API__BASE_URL": f"http://{HOST}:{PORT}",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": (
            f"postgresql+psycopg2://{ROLE}:{keys['db_password']}@127.0.0.1:5432/{METADATA_DB}"
        ),
        # New DAG files show up within half a minute instead of five.
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "ODL_DATA_ROOT": os.environ.get("ODL_DATA_ROOT", str(REPO_ROOT / "data")),
    }


def _ensure_role(password: str) -> None:
    ensure_login_role(ROLE, password)
    ensure_database(METADATA_DB, owner=ROLE)


def api_answers() -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{PORT}/api/v2/version", timeout=2) as response:
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


def _forget_connections(conn_ids: list[str]) -> None:
    """Drop the stack's own Connections before importing them again.

    The metadata DB may outlive the state folder (a new clone, a deleted state/): its rows are then
    encrypted with another Fernet key, and Airflow cannot even read them to overwrite them.
    """
    ids = ", ".join(f"'{conn_id}'" for conn_id in conn_ids)
    run_sql(f"DELETE FROM connection WHERE conn_id IN ({ids})", METADATA_DB)


def _airflow(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("ab") as handle:
        subprocess.run([str(VENV_BIN / "airflow"), *args], env=env, stdout=handle, stderr=subprocess.STDOUT, check=True)


def up(state_dir: Path, ckan: dict[str, Any]) -> dict[str, str]:
    keys = _secrets(state_dir)
    env = environment(state_dir, keys)
    log = state_dir / "logs" / "airflow-setup.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    processes.write_private(state_dir / "airflow-passwords.json", json.dumps({ADMIN: keys["admin_password"]}))
    running = all(processes.running_pid(state_dir / "pids" / f"{name}.pid") for name in SERVICES)
    if not (running and api_answers()):
        _ensure_role(keys["db_password"])
        _airflow(["db", "migrate"], env, log)
    connections = json.dumps(_connections(ckan), sort_keys=True)
    fingerprint = state_dir / "airflow-connections.sha256"
    digest = hashlib.sha256(connections.encode()).hexdigest()
    if not fingerprint.exists() or fingerprint.read_text() != digest:
        connections_file = state_dir / "airflow-connections.json"
        processes.write_private(connections_file, connections)
        _forget_connections(list(_connections(ckan)))
        _airflow(["connections", "import", "--overwrite", str(connections_file)], env, log)
        connections_file.unlink()
        processes.write_private(fingerprint, digest)
    for name, args in SERVICES.items():
        processes.start(name, [str(VENV_BIN / "airflow"), *args], env, state_dir)
    processes.wait_for(
        api_answers, "Airflow API server", timeout=120, log=state_dir / "logs" / "airflow-api-server.log"
    )
    return {"url": f"http://{HOST}:{PORT}", "login": ADMIN, "password": keys["admin_password"]}


def down(state_dir: Path) -> list[str]:
    return [name for name in SERVICES if processes.stop(name, state_dir)]


def status(state_dir: Path) -> list[str]:
    lines = []
    for name in SERVICES:
        pid = processes.running_pid(state_dir / "pids" / f"{name}.pid")
        lines.append(f"{name:24} {'running, pid ' + str(pid) if pid else 'stopped'}")
    lines.append(f"{'Airflow UI':24} http://{HOST}:{PORT} ({'answers' if api_answers() else 'not answering'})")
    passwords = state_dir / "airflow-passwords.json"
    if passwords.exists():  # a local, loopback-only login: shown so the person at this machine can sign in
        lines.append(f"{'Airflow login':24} {ADMIN} / {json.loads(passwords.read_text())[ADMIN]}")
    return lines
