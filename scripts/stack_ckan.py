"""The CKAN half of the embedded stack: roles and databases, ckan.ini, a sysadmin and its API token, gunicorn.

Secrets (database passwords, SECRET_KEY, the JWT secret, the sysadmin password)
are generated once into the state folder (0600) and reused; nothing here prints
them, and the commands that handle them get them on stdin or in files, never as
arguments. A second `up` with CKAN healthy only checks, so it takes well under a second.
"""

import json
import os
import secrets
import subprocess
import urllib.request
from pathlib import Path
from string import Template
from typing import Any

from scripts import processes, stack_nginx
from scripts.services import ensure_database, ensure_login_role, ensure_postgres, ensure_redis, port_open, run_sql

REPO_ROOT = Path(__file__).resolve().parents[1]
CKAN_BIN = REPO_ROOT / ".venv-ckan" / "bin"
TEMPLATE = REPO_ROOT / "ckan" / "ckan.ini.template"
HOST, PORT = "127.0.0.1", 5000  # citizens' address: nginx (scripts/stack_nginx.py), the front door
URL = f"http://{HOST}:{PORT}"
# CKAN's gunicorn pools behind it, on loopback. Measured here (issue 15, bench/results.md): gthread workers
# answer ~30 % more package_search per second than sync ones, and a pool of their own for SQL and dumps
# keeps package_show fast while six heavy SQL calls run.
SERVICE, LIGHT_PORT, LIGHT_WORKERS, LIGHT_THREADS = "ckan", 5050, 2, 4
HEAVY_SERVICE, HEAVY_PORT, HEAVY_WORKERS, HEAVY_THREADS = "ckan-heavy", 5051, 1, 4
CKAN_DB = CKAN_ROLE = "ckan_default"  # CKAN's own database; the role also writes the DataStore
DATASTORE_DB = DATASTORE_READ_ROLE = "datastore_default"
SYSADMIN = "odl_admin"
REDIS_URL = "redis://127.0.0.1:6379/1"
TOKEN_NAME = "odl-stack"


def _secrets(state_dir: Path) -> dict[str, str]:
    return processes.stored_secrets(
        state_dir / "ckan-secrets.json",
        lambda: {
            "ckan_db_password": secrets.token_urlsafe(24),
            "datastore_read_password": secrets.token_urlsafe(24),
            "secret_key": secrets.token_urlsafe(32),
            "api_token_secret": secrets.token_urlsafe(32),
            "sysadmin_password": secrets.token_urlsafe(16),
        },
    )


def database_urls(keys: dict[str, str]) -> dict[str, str]:
    def url(role: str, password: str, database: str) -> str:
        return f"postgresql://{role}:{password}@127.0.0.1:5432/{database}"

    return {
        "sqlalchemy_url": url(CKAN_ROLE, keys["ckan_db_password"], CKAN_DB),
        "datastore_write_url": url(CKAN_ROLE, keys["ckan_db_password"], DATASTORE_DB),
        "datastore_read_url": url(DATASTORE_READ_ROLE, keys["datastore_read_password"], DATASTORE_DB),
    }


def render_ini(state_dir: Path, keys: dict[str, str]) -> Path:
    """Write state_dir/ckan.ini (0600) from ckan/ckan.ini.template; secrets exist only in the rendered file."""
    storage = state_dir / "ckan-storage"
    storage.mkdir(mode=0o700, parents=True, exist_ok=True)
    values = {
        **database_urls(keys),
        "secret_key": keys["secret_key"],
        "api_token_secret": keys["api_token_secret"],
        "site_url": URL,
        "redis_url": REDIS_URL,
        "storage_path": str(storage),
        "licenses_file": str(REPO_ROOT / "ckan" / "licenses.json"),
    }
    ini = state_dir / "ckan.ini"
    text = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(values)
    if not ini.exists() or ini.read_text(encoding="utf-8") != text:
        processes.write_private(ini, text)
    return ini


def _ensure_roles_and_databases(keys: dict[str, str]) -> None:
    ensure_login_role(CKAN_ROLE, keys["ckan_db_password"])
    ensure_login_role(DATASTORE_READ_ROLE, keys["datastore_read_password"])
    for database in (CKAN_DB, DATASTORE_DB):
        ensure_database(database, owner=CKAN_ROLE)


def _has_table(database: str, table: str) -> bool:
    return run_sql(f"SELECT to_regclass('public.{table}') IS NOT NULL;", database) == "t"


def _datastore_permissions_set() -> bool:
    """set-permissions creates this view and grants the read role SELECT on it."""
    return _has_table(DATASTORE_DB, "_table_metadata") and (
        run_sql(
            f"SELECT has_table_privilege('{DATASTORE_READ_ROLE}', 'public._table_metadata', 'SELECT');", DATASTORE_DB
        )
        == "t"
    )


def _datastore_in_place() -> bool:
    """The DataStore database is there and set up: a lost one alone leaves CKAN answering and the token working."""
    try:
        return _datastore_permissions_set()
    except subprocess.CalledProcessError:  # no such database
        return False


def _sysadmin_exists() -> bool:
    return (
        run_sql(f"SELECT 1 FROM \"user\" WHERE name = '{SYSADMIN}' AND sysadmin AND state = 'active';", CKAN_DB) == "1"
    )


def _ckan(ini: Path, args: list[str], log: Path, stdin: str | None = None) -> str:
    """Run the ckan CLI; stdout is returned (never logged, it may hold a token), stderr goes to the log."""
    env = os.environ | {"CKAN_INI": str(ini)}
    with log.open("ab") as handle:
        result = subprocess.run(
            [str(CKAN_BIN / "ckan"), "-c", str(ini), *args],
            input=(stdin or "").encode(),
            stdout=subprocess.PIPE,
            stderr=handle,
            env=env,
            # No controlling terminal: password prompts read the piped stdin instead of /dev/tty.
            start_new_session=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"`ckan {' '.join(args[:2])}` failed (exit {result.returncode}); see {log}")
    return result.stdout.decode()


def _initialise(ini: Path, keys: dict[str, str], log: Path) -> None:
    """The slow, one-time steps, each skipped when the database already shows it done."""
    if not _has_table(CKAN_DB, "package"):
        _ckan(ini, ["db", "init"], log)
    if not _has_table(CKAN_DB, "activity"):
        _ckan(ini, ["db", "upgrade", "-p", "activity"], log)
    if not _datastore_permissions_set():
        sql = _ckan(ini, ["datastore", "set-permissions"], log)
        run_sql(sql)
    if not _sysadmin_exists():
        password = keys["sysadmin_password"]
        # `sysadmin add` asks to create the user, then for the password twice.
        _ckan(ini, ["sysadmin", "add", SYSADMIN, "email=odl-admin@localhost"], log, f"y\n{password}\n{password}\n")


def _call(action: str, token: str | None = None, timeout: float = 5) -> dict[str, Any] | None:
    """GET an action: the response body, or None when CKAN does not answer or refuses."""
    request = urllib.request.Request(f"{URL}/api/3/action/{action}")
    if token:
        request.add_header("Authorization", token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: dict[str, Any] = json.load(response)
    except (OSError, ValueError):
        return None
    return body if body.get("success") else None


def answers() -> bool:
    return _call("status_show", timeout=2) is not None


def _token_works(token: str | None) -> bool:
    """Only the sysadmin itself (or another sysadmin) may list its tokens: a refused call means a dead token."""
    return bool(token) and _call(f"api_token_list?user_id={SYSADMIN}", token) is not None


def _gunicorn(port: int, workers: int, threads: int) -> list[str]:
    return [
        str(CKAN_BIN / "gunicorn"),
        "--chdir",
        str(REPO_ROOT / "ckan"),
        "--bind",
        f"{HOST}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--no-control-socket",
        # gunicorn's access log (the client as nginx passed it on, see ckan/wsgi.py) goes to the service's log.
        "--access-logfile",
        "-",
        "wsgi:application",
    ]


def _pools() -> dict[str, tuple[int, list[str]]]:
    return {
        SERVICE: (LIGHT_PORT, _gunicorn(LIGHT_PORT, LIGHT_WORKERS, LIGHT_THREADS)),
        HEAVY_SERVICE: (HEAVY_PORT, _gunicorn(HEAVY_PORT, HEAVY_WORKERS, HEAVY_THREADS)),
    }


def _pools_running(state_dir: Path) -> bool:
    return all(processes.running_pid(state_dir / "pids" / f"{name}.pid") for name in (SERVICE, HEAVY_SERVICE))


def _front_door(state_dir: Path) -> None:
    stack_nginx.up(
        state_dir, f"{HOST}:{PORT}", f"{HOST}:{LIGHT_PORT}", f"{HOST}:{HEAVY_PORT}", state_dir / "ckan-storage"
    )


def _serve(state_dir: Path, ini: Path) -> None:
    for name, (port, command) in _pools().items():
        processes.stop(name, state_dir)  # both or neither: also a lone pool of an older stack layout
        if processes.running_pid(state_dir / "pids" / f"{name}.pid") is None and port_open(port):
            raise RuntimeError(f"{HOST}:{port} is taken by a process this stack did not start; stop it first")
        processes.start(name, command, os.environ | {"CKAN_INI": str(ini)}, state_dir)
    _front_door(state_dir)
    log = state_dir / "logs" / f"{SERVICE}.log"

    def ready() -> bool:
        for name in (SERVICE, HEAVY_SERVICE):
            if processes.running_pid(state_dir / "pids" / f"{name}.pid") is None:
                raise RuntimeError(f"CKAN (gunicorn, {name}) exited while starting; see {state_dir / 'logs'}")
        return answers() and _answers_on(HEAVY_PORT)

    processes.wait_for(ready, "CKAN", timeout=120, log=log)


def _answers_on(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/api/3/action/status_show", timeout=2) as response:
            return bool(json.load(response).get("success"))
    except (OSError, ValueError):
        return False


def up(state_dir: Path) -> dict[str, str]:
    """Bring CKAN up (idempotent) and return how to reach it; also written to state_dir/ckan.json (0600)."""
    state_dir = state_dir.resolve()  # gunicorn runs in ckan/, so every path it gets is absolute
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys = _secrets(state_dir)
    info_file = state_dir / "ckan.json"
    stored: dict[str, str] = json.loads(info_file.read_text()) if info_file.exists() else {}
    running = _pools_running(state_dir)
    ini_before = (state_dir / "ckan.ini").read_text(encoding="utf-8") if (state_dir / "ckan.ini").exists() else None
    ini = render_ini(state_dir, keys)
    if ini.read_text(encoding="utf-8") != ini_before:
        running = False  # _serve restarts both pools: a changed template takes effect on this up
    if running:
        _front_door(state_dir)  # started if it is not, reloaded if its template changed
        if answers() and _token_works(stored.get("api_token")) and _datastore_in_place():
            return stored

    ensure_postgres()
    ensure_redis()
    log = state_dir / "logs" / "ckan-setup.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    _ensure_roles_and_databases(keys)
    _initialise(ini, keys, log)
    _serve(state_dir, ini)

    token = stored.get("api_token")
    if not _token_works(token):
        token = _ckan(ini, ["user", "token", "add", SYSADMIN, TOKEN_NAME], log).strip().splitlines()[-1].strip()
        if not _token_works(token):
            raise RuntimeError(f"the new API token for {SYSADMIN} is refused by CKAN; see {log}")
    urls = database_urls(keys)
    info = {
        "url": URL,
        "api_token": str(token),
        "datastore_write_url": urls["datastore_write_url"],
        "datastore_read_url": urls["datastore_read_url"],
        "sysadmin": SYSADMIN,
    }
    processes.write_private(info_file, json.dumps(info, indent=2))
    return info


def down(state_dir: Path) -> None:
    """Stop what this stack started for CKAN (nginx, both gunicorn pools, by their PID files); databases stay."""
    stack_nginx.down(state_dir)
    for name in (SERVICE, HEAVY_SERVICE):
        processes.stop(name, state_dir)


def status(state_dir: Path) -> list[str]:
    state_dir = state_dir.resolve()
    pools = []
    for name, port, workers, threads in (
        (SERVICE, LIGHT_PORT, LIGHT_WORKERS, LIGHT_THREADS),
        (HEAVY_SERVICE, HEAVY_PORT, HEAVY_WORKERS, HEAVY_THREADS),
    ):
        pid = processes.running_pid(state_dir / "pids" / f"{name}.pid")
        pools.append(
            f"{name + ' (gunicorn)':24} {'running, pid ' + str(pid) if pid else 'stopped'}: "
            f"{HOST}:{port}, {workers} gthread worker(s) x {threads} threads"
        )
    front = stack_nginx.status(state_dir, f"{HOST}:{PORT}", f"{HOST}:{LIGHT_PORT}", f"{HOST}:{HEAVY_PORT}")
    return [
        *front,
        *pools,
        f"{'CKAN':24} {URL} ({'answers' if answers() else 'not answering'})",
        f"{'CKAN sysadmin':24} {SYSADMIN} (API token in {state_dir / 'ckan.json'}, "
        f"password in {state_dir / 'ckan-secrets.json'})",
        f"{'CKAN DataStore':24} postgresql://127.0.0.1:5432/{DATASTORE_DB} "
        f"(write: {CKAN_ROLE}, read-only: {DATASTORE_READ_ROLE})",
        f"{'CKAN config, logs':24} {state_dir / 'ckan.ini'}, {state_dir / 'logs'}",
    ]
