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


def run_sql(sql: str, database: str = "postgres") -> str:
    """Run SQL as the postgres superuser, passed on stdin so passwords never show in a process listing."""
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
    return subprocess.run(
        ["psql", url, "-qtAX", "-v", "ON_ERROR_STOP=1", "-f", "-"],
        input=sql,
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()


def ensure_database(name: str, owner: str | None = None) -> None:
    """Create the database if it does not exist (idempotent), and give it to owner.

    Owning the database also makes the role owner of its public schema (pg_database_owner, PostgreSQL 15).
    """
    if run_sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        run_sql(f'CREATE DATABASE "{name}"')
    if owner:
        run_sql(f'ALTER DATABASE "{name}" OWNER TO {owner}')


def ensure_login_role(role: str, password: str) -> None:
    """A role that logs in with password: created, or its password set again (idempotent)."""
    run_sql(f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
    CREATE ROLE {role} LOGIN PASSWORD '{password}';
  ELSE
    ALTER ROLE {role} LOGIN PASSWORD '{password}';
  END IF;
END $$;""")


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
