"""The Airflow half of `scripts/stack up`: four services on the PostgreSQL metadata DB, the two Connections, clean stop."""

import json
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from scripts import processes, stack, stack_airflow
from scripts.services import port_open

pytestmark = pytest.mark.integration

STATE_DIR = stack.STATE_DIR


def api(path: str, token: str | None = None, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(f"http://{stack_airflow.HOST}:{stack_airflow.PORT}{path}")
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def login(airflow: dict[str, str]) -> str:
    token: str = api("/auth/token", body={"username": airflow["login"], "password": airflow["password"]})[
        "access_token"
    ]
    return token


@pytest.fixture(scope="module")
def airflow_stack() -> dict[str, str]:
    """The whole stack, brought up if it is not (it stays up: other tests and the demo reuse it)."""
    return stack.up()["airflow"]


def test_api_server_answers_with_airflow_3_3(airflow_stack: dict[str, str]) -> None:
    assert api("/api/v2/version")["version"] == "3.3.2"


def test_every_service_runs_from_its_pid_file(airflow_stack: dict[str, str]) -> None:
    for name in stack_airflow.SERVICES:
        assert processes.running_pid(STATE_DIR / "pids" / f"{name}.pid"), name


def test_metadata_db_is_postgresql_with_local_executor(airflow_stack: dict[str, str]) -> None:
    env = stack_airflow.environment(STATE_DIR, json.loads((STATE_DIR / "airflow-secrets.json").read_text()))
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://odl_airflow:")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"


def test_connections_point_at_ckan_and_the_datastore_and_hide_secrets(airflow_stack: dict[str, str]) -> None:
    token = login(airflow_stack)
    ckan = json.loads((STATE_DIR / "ckan.json").read_text())
    default = api("/api/v2/connections/ckan_default", token)
    assert (default["conn_type"], default["host"], default["port"], default["schema"]) == (
        "http",
        "127.0.0.1",
        5000,
        "http",
    )
    datastore = api("/api/v2/connections/ckan_datastore", token)
    assert (datastore["conn_type"], datastore["schema"], datastore["login"]) == (
        "postgres",
        "datastore_default",
        "ckan_default",
    )
    # The API never hands the token or the password back, and neither is in a log the stack wrote.
    assert default["password"] == datastore["password"] == "***"
    for log in (STATE_DIR / "logs").glob("airflow*.log"):
        assert ckan["api_token"] not in log.read_text(errors="replace"), log


def test_scheduler_knows_the_project_dags(airflow_stack: dict[str, str]) -> None:
    token = login(airflow_stack)
    deadline = time.monotonic() + 90  # the dag-processor parses dags/ on its own schedule
    dag_ids: set[str] = set()
    while time.monotonic() < deadline and "store_tourism" not in dag_ids:
        dag_ids = {dag["dag_id"] for dag in api("/api/v2/dags?limit=100", token)["dags"]}
        time.sleep(2)
    assert {"store_tourism", "store_agriculture", "store_disaster_prevention"} <= dag_ids


def test_connections_written_under_another_fernet_key_are_replaced(airflow_stack: dict[str, str]) -> None:
    """A metadata DB that outlived its state folder (a new clone): its Connections are unreadable here."""
    from cryptography.fernet import Fernet

    foreign = Fernet(Fernet.generate_key()).encrypt(b"someone else's token").decode()
    database = f"postgresql://postgres@127.0.0.1:5432/{stack_airflow.METADATA_DB}"
    subprocess.run(
        [
            "psql",
            database,
            "-qc",
            f"UPDATE connection SET password = '{foreign}', is_encrypted = true WHERE conn_id = 'ckan_default'",
        ],
        check=True,
    )
    (STATE_DIR / "airflow-connections.sha256").unlink()  # as in a state folder that is new
    stack.up()
    token = login(airflow_stack)
    assert api("/api/v2/connections/ckan_default", token)["host"] == "127.0.0.1"
    airflow = [str(stack_airflow.VENV_BIN / "airflow"), "connections", "get", "ckan_default", "-o", "json"]
    env = stack_airflow.environment(STATE_DIR, json.loads((STATE_DIR / "airflow-secrets.json").read_text()))
    shown = subprocess.run(airflow, env=env, capture_output=True, text=True, check=True).stdout
    assert json.loads(shown)[0]["password"] == json.loads((STATE_DIR / "ckan.json").read_text())["api_token"]


def test_state_files_are_private(airflow_stack: dict[str, str]) -> None:
    for name in ("airflow-secrets.json", "airflow-passwords.json", *(f"pids/{s}.pid" for s in stack_airflow.SERVICES)):
        assert (STATE_DIR / name).stat().st_mode & 0o777 == 0o600, name


def test_status_says_what_runs_where_and_the_login(airflow_stack: dict[str, str]) -> None:
    lines = stack_airflow.status(STATE_DIR)
    assert sum("running, pid" in line for line in lines) == len(stack_airflow.SERVICES)
    assert any(line.startswith("Airflow login") and airflow_stack["password"] in line for line in lines)


def _group(pid: int) -> set[int]:
    return {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and processes._pgid_of(p) == pid}


def test_up_when_up_only_checks(airflow_stack: dict[str, str]) -> None:
    pids = {name: processes.running_pid(STATE_DIR / "pids" / f"{name}.pid") for name in stack_airflow.SERVICES}
    began = time.perf_counter()
    assert stack.up()["airflow"] == airflow_stack
    assert time.perf_counter() - began < 30  # the bound; it takes well under a second when all is up
    assert {name: processes.running_pid(STATE_DIR / "pids" / f"{name}.pid") for name in pids} == pids


def test_down_stops_every_airflow_process_it_started_and_up_again_restarts_them(airflow_stack: dict[str, str]) -> None:
    """Runs last here: stop by PID (children too), then up again reuses the migrated DB and secrets."""
    started = set()
    for name in stack_airflow.SERVICES:
        pid = processes.running_pid(STATE_DIR / "pids" / f"{name}.pid")
        assert pid is not None
        started |= _group(pid)
    assert sorted(stack_airflow.down(STATE_DIR)) == sorted(stack_airflow.SERVICES)
    alive = [p for p in started if Path(f"/proc/{p}").exists() and not processes._is_zombie(Path(f"/proc/{p}"))]
    assert alive == []
    assert not port_open(stack_airflow.PORT)

    again = stack.up()["airflow"]
    assert again == airflow_stack
    assert api("/api/v2/version")["version"] == "3.3.2"
