"""Local services the embedded stack needs: start them when installed but stopped, install them when absent."""

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import shutil
import socket
import subprocess
from pathlib import Path

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SCRAM_ITERATIONS = 4096  # the count PostgreSQL uses for the verifiers it makes itself
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SCRAM_VERIFIER = re.compile(r"SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)")


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
    """A role that logs in with password: created, or altered only when it cannot already (idempotent).

    The SQL carries a SCRAM-SHA-256 verifier made here, never the cleartext, which statement logging and
    pg_stat_activity would show. pg_hba here trusts local connections, so a login attempt proves nothing:
    the stored verifier is checked instead, which is what password authentication checks too.
    """
    if not _ROLE_NAME.fullmatch(role):
        raise ValueError(f"not a plain lower-case role name: {role!r}")
    found = _login_role(role)
    if found is not None and found[0] and scram_sha_256_verifies(found[1], password):
        return
    verb = "CREATE" if found is None else "ALTER"
    run_sql(f"{verb} ROLE {role} LOGIN PASSWORD '{scram_sha_256_verifier(password)}'")
    stored = _login_role(role)
    if stored is None or not stored[0] or not scram_sha_256_verifies(stored[1], password):
        raise RuntimeError(f"PostgreSQL did not keep the SCRAM-SHA-256 verifier set for role {role}")


def _login_role(role: str) -> tuple[bool, str] | None:
    """(can log in, stored password verifier or "") of role; None when there is no such role."""
    row = run_sql(f"SELECT rolcanlogin, coalesce(rolpassword, '') FROM pg_authid WHERE rolname = '{role}'")
    if not row:
        return None
    can_login, verifier = row.split("|", 1)
    return can_login == "t", verifier


def scram_sha_256_verifier(password: str, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """The verifier PostgreSQL stores for password (RFC 5802, RFC 7677), with a fresh 16-byte salt unless given one."""
    salt = secrets.token_bytes(16) if salt is None else salt
    stored_key, server_key = _scram_keys(password, salt, iterations)
    encoded = [base64.b64encode(part).decode("ascii") for part in (salt, stored_key, server_key)]
    return f"SCRAM-SHA-256${iterations}:{encoded[0]}${encoded[1]}:{encoded[2]}"


def scram_sha_256_verifies(verifier: str, password: str) -> bool:
    """Whether a SCRAM-SHA-256 verifier (as in pg_authid.rolpassword) was made from password."""
    match = _SCRAM_VERIFIER.fullmatch(verifier)
    if not match:
        return False
    try:
        salt, stored_key, server_key = (base64.b64decode(part, validate=True) for part in match.group(2, 3, 4))
    except binascii.Error:
        return False
    expected_stored_key, expected_server_key = _scram_keys(password, salt, int(match.group(1)))
    return hmac.compare_digest(stored_key, expected_stored_key) and hmac.compare_digest(server_key, expected_server_key)


def _scram_keys(password: str, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    """(StoredKey, ServerKey) of RFC 5802."""
    # PostgreSQL SASLpreps the password first; that leaves ASCII as it is, and the stack's passwords are ASCII.
    if not password or not password.isascii():
        raise ValueError("only a non-empty ASCII password hashes here exactly as PostgreSQL does")
    salted_password = hashlib.pbkdf2_hmac("sha256", password.encode("ascii"), salt, iterations)
    client_key = hmac.digest(salted_password, b"Client Key", "sha256")
    return hashlib.sha256(client_key).digest(), hmac.digest(salted_password, b"Server Key", "sha256")


def ensure_nginx() -> str:
    """The nginx binary, installed from Debian when missing. Only the binary: the stack runs its own nginx."""
    search_path = os.environ.get("PATH", "") + ":/usr/sbin"  # Debian's place for it, not on every user's PATH
    if not shutil.which("nginx", path=search_path):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], check=True, env=env)
    found = shutil.which("nginx", path=search_path)
    if not found:
        raise RuntimeError("nginx is not installed and apt-get could not install it")
    return found


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
