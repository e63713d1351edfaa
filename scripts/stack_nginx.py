"""The front door of the embedded stack: nginx on CKAN's public address, in front of CKAN's two gunicorn pools.

`ckan/nginx/odl.conf.template` (shared with docker-compose) is rendered into state/nginx/odl.conf and
included by state/nginx/nginx.conf; nginx runs in the foreground as a process of the stack's own
(scripts/processes.py: PID file, its own log), never as the system service. A changed rendering is
checked with `nginx -t` and loaded with a reload (SIGHUP): the front door stays up.
"""

import os
import re
import signal
import subprocess
from pathlib import Path

from scripts import processes
from scripts.services import ensure_nginx, port_open

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = REPO_ROOT / "ckan" / "nginx" / "odl.conf.template"
MAIN_TEMPLATE = REPO_ROOT / "ckan" / "nginx" / "nginx.conf.template"
SERVICE = "nginx"
PLACEHOLDER = re.compile(r"\$\{(ODL_[A-Z_]+)\}")

# Limits of the front door (per client address unless named total). docker-compose.yaml sets the same.
LIMITS = {
    "ODL_API_RATE": "20r/s",  # Action API and pages
    "ODL_API_BURST": "60",
    "ODL_SQL_RATE": "30r/m",  # datastore_search_sql
    "ODL_SQL_BURST": "5",
    "ODL_DUMP_RATE": "6r/m",  # /datastore/dump/ (whole tables)
    "ODL_DUMP_BURST": "3",
    "ODL_HEAVY_PER_CLIENT": "1",  # SQL and dumps running at once, per client
    # ... and for everyone: one core fewer than the machine has, so cheap calls always find a free core
    # (the load bench: with 4 heavy at once on 2 cores, citizens' p95 went to 2 s beside 10 abusers).
    "ODL_HEAVY_TOTAL": str(max(1, (os.cpu_count() or 2) - 1)),
}


def render(template: Path, values: dict[str, str]) -> str:
    """template with each ${ODL_…} replaced (as envsubst does in the nginx image); a missing value is an error."""
    text = template.read_text(encoding="utf-8")
    missing = sorted(set(PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise KeyError(f"{template.name} needs values for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda found: values[found.group(1)], text)


def ckan_public_dir() -> Path:
    """CKAN's own static files (/base/…) in .venv-ckan."""
    return next((REPO_ROOT / ".venv-ckan" / "lib").glob("python3*/site-packages/ckan/public"))


def render_config(state_dir: Path, listen: str, upstream: str, heavy_upstream: str, storage: Path) -> Path:
    """Write state_dir/nginx/{odl.conf,nginx.conf}; returns the main file. Rewrites only what changed."""
    nginx_dir = state_dir / "nginx"
    for folder in (nginx_dir / "tmp", state_dir / "logs"):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    values = {
        **LIMITS,
        "ODL_LISTEN": listen,
        "ODL_CKAN_UPSTREAM": upstream,
        "ODL_CKAN_HEAVY_UPSTREAM": heavy_upstream,
        "ODL_CKAN_PUBLIC": str(ckan_public_dir()),  # `root`: /base/… is public/base/…
        "ODL_CKAN_STORAGE": str(storage),
        "ODL_STATE": str(nginx_dir),
        "ODL_LOGS": str(state_dir / "logs"),
        # Workers must read the stack's 0700 state folder: as root they run as root, else as the caller.
        "ODL_USER_LINE": "user root;" if os.geteuid() == 0 else "",
    }
    for name, template in (("odl.conf", TEMPLATE), ("nginx.conf", MAIN_TEMPLATE)):
        path, text = nginx_dir / name, render(template, values)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            processes.write_private(path, text)
    return nginx_dir / "nginx.conf"


def _nginx(conf: Path, *args: str) -> list[str]:
    # -e: the error log before the config is read (the compiled-in default is the system's /var/log/nginx).
    logs = conf.parent.parent / "logs"
    return [ensure_nginx(), "-p", str(conf.parent), "-c", str(conf), "-e", str(logs / "nginx-error.log"), *args]


def check(conf: Path) -> None:
    """`nginx -t` on the rendered config; raises with nginx's own words when it is refused."""
    result = subprocess.run(_nginx(conf, "-t", "-q"), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"nginx refuses {conf}: {result.stderr.strip()}")


def up(state_dir: Path, listen: str, upstream: str, heavy_upstream: str, storage: Path) -> None:
    """nginx on listen (host:port) in front of the two pools; idempotent, reloads a changed config."""
    pid_file = state_dir / "pids" / f"{SERVICE}.pid"
    conf_dir = state_dir / "nginx"
    before = {name: _read(conf_dir / name) for name in ("odl.conf", "nginx.conf")}
    conf = render_config(state_dir, listen, upstream, heavy_upstream, storage)
    changed = before != {name: _read(conf_dir / name) for name in before}
    pid = processes.running_pid(pid_file)
    if pid is not None:
        if changed:
            check(conf)
            os.kill(pid, signal.SIGHUP)  # graceful: new workers take the new config, old ones finish
        return
    host, port = listen.rsplit(":", 1)
    if port_open(int(port), host):
        raise RuntimeError(f"{listen} is taken by a process this stack did not start; stop it first")
    check(conf)
    processes.start(SERVICE, _nginx(conf), dict(os.environ), state_dir)
    log = state_dir / "logs" / f"{SERVICE}.log"

    def listening() -> bool:
        if processes.running_pid(pid_file) is None:
            raise RuntimeError(f"nginx exited while starting; see {log} and {state_dir / 'logs' / 'nginx-error.log'}")
        return port_open(int(port), host)

    processes.wait_for(listening, "nginx", timeout=20, log=log)


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def down(state_dir: Path) -> bool:
    return processes.stop(SERVICE, state_dir)


def status(state_dir: Path, listen: str, upstream: str, heavy_upstream: str) -> list[str]:
    pid = processes.running_pid(state_dir / "pids" / f"{SERVICE}.pid")
    limits = (
        f"API {LIMITS['ODL_API_RATE']} burst {LIMITS['ODL_API_BURST']}, "
        f"SQL {LIMITS['ODL_SQL_RATE']} burst {LIMITS['ODL_SQL_BURST']}, "
        f"dumps {LIMITS['ODL_DUMP_RATE']} burst {LIMITS['ODL_DUMP_BURST']}, "
        f"heavy at once {LIMITS['ODL_HEAVY_PER_CLIENT']}/client {LIMITS['ODL_HEAVY_TOTAL']} in all"
    )
    return [
        f"{'nginx (front door)':24} {'running, pid ' + str(pid) if pid else 'stopped'}: "
        f"http://{listen} → CKAN {upstream}, SQL and dumps → {heavy_upstream}",
        f"{'front door limits':24} per client address: {limits}; not counted: 127.0.0.1 with an Authorization header",
        f"{'nginx config, logs':24} {state_dir / 'nginx' / 'odl.conf'}, {state_dir / 'logs' / 'nginx-*.log'}",
    ]
