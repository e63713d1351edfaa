"""Local services the embedded stack needs: start them when installed but stopped, install them when absent."""

import shutil
import socket
import subprocess
from pathlib import Path

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def ensure_postgres() -> None:
    """PostgreSQL on 127.0.0.1:5432 with trust auth for local connections, as on this machine kind."""
    if port_open(5432):
        return
    if not shutil.which("pg_ctlcluster"):
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=True)
    for version in sorted(path.name for path in Path("/etc/postgresql").iterdir()):
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
    if not port_open(5432):
        raise RuntimeError("PostgreSQL is not answering on 127.0.0.1:5432 and could not be started")


def ensure_database(name: str) -> None:
    """Create the database if it does not exist (idempotent)."""
    exists = subprocess.run(
        ["psql", POSTGRES_ADMIN_URL, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", POSTGRES_ADMIN_URL, "-qc", f'CREATE DATABASE "{name}"'], check=True)


def ensure_redis() -> None:
    """Redis on 127.0.0.1:6379, started the way this machine kind starts it (nothing kept on disk)."""
    if port_open(6379):
        return
    if not shutil.which("redis-server"):
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "redis-server"], check=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    # The same flags this machine kind starts Redis with: loopback only, nothing kept on disk.
    flags = "--daemonize yes --bind 127.0.0.1 --port 6379 --appendonly no --dir /var/lib/redis"
    subprocess.run(
        ["redis-server", *flags.split(), "--save", "", "--logfile", "/var/log/redis/odl.log"],
        check=True,
    )
    if not port_open(6379):
        raise RuntimeError("Redis is not answering on 127.0.0.1:6379 and could not be started")
