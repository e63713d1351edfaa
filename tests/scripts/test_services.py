"""Login roles get a SCRAM-SHA-256 verifier made in Python: the cleartext password never travels as SQL text."""

import base64
import hashlib
import hmac
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from scripts import services
from scripts.services import ensure_login_role, run_sql, scram_sha_256_verifier, scram_sha_256_verifies


@pytest.fixture
def role() -> Iterator[str]:
    """A throwaway role name, dropped afterwards whatever the test did."""
    name = f"odl_test_role_{secrets.token_hex(4)}"
    try:
        yield name
    finally:
        run_sql(f"DROP ROLE IF EXISTS {name}")


@pytest.fixture
def sent_sql(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL text ensure_login_role hands to run_sql (still run for real)."""
    sent: list[str] = []

    def recording_run_sql(sql: str, database: str = "postgres") -> str:
        sent.append(sql)
        return run_sql(sql, database)

    monkeypatch.setattr(services, "run_sql", recording_run_sql)
    return sent


def stored(role: str) -> tuple[bool, str]:
    can_login, verifier = run_sql(f"SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = '{role}'").split("|")
    return can_login == "t", verifier


def changes(sent: list[str]) -> list[str]:
    return [sql for sql in sent if not sql.lstrip().upper().startswith("SELECT")]


def test_verifier_matches_the_rfc_7677_exchange() -> None:
    """The keys of the verifier for "pencil" reproduce RFC 7677's client proof and server signature."""
    verifier = scram_sha_256_verifier("pencil", salt=base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
    assert verifier.startswith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$")
    stored_key, server_key = (base64.b64decode(key) for key in verifier.rsplit("$", 1)[1].split(":"))
    nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    auth_message = (
        f"n=user,r=rOprNGfwEbeRWgbNEkqO,r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r={nonce}".encode()
    )
    client_proof = base64.b64decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    client_signature = hmac.digest(stored_key, auth_message, "sha256")
    client_key = bytes(a ^ b for a, b in zip(client_proof, client_signature, strict=True))
    assert hashlib.sha256(client_key).digest() == stored_key
    assert hmac.digest(server_key, auth_message, "sha256") == base64.b64decode(
        "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    )


def test_verifier_verifies_its_password_and_no_other() -> None:
    verifier = scram_sha_256_verifier("right-password")
    assert scram_sha_256_verifies(verifier, "right-password")
    assert not scram_sha_256_verifies(verifier, "wrong-password")
    assert not scram_sha_256_verifies("md5" + hashlib.md5(b"right-password").hexdigest(), "right-password")
    assert not scram_sha_256_verifies("", "right-password")


def test_each_verifier_has_its_own_16_byte_salt() -> None:
    first, second = scram_sha_256_verifier("same"), scram_sha_256_verifier("same")
    assert first != second
    assert len(base64.b64decode(first.split("$")[1].split(":")[1])) == 16


@pytest.mark.integration
def test_role_is_created_with_a_scram_verifier_and_no_cleartext_in_sql(role: str, sent_sql: list[str]) -> None:
    password = secrets.token_urlsafe(24)
    ensure_login_role(role, password)
    can_login, verifier = stored(role)
    assert can_login
    assert verifier.startswith("SCRAM-SHA-256$4096:")
    assert scram_sha_256_verifies(verifier, password)
    assert not scram_sha_256_verifies(verifier, password + "x")
    assert [sql.split(" PASSWORD ")[0] for sql in changes(sent_sql)] == [f"CREATE ROLE {role} LOGIN"]
    assert not any(password in sql for sql in sent_sql)


@pytest.mark.integration
def test_same_password_again_changes_nothing(role: str, sent_sql: list[str]) -> None:
    password = secrets.token_urlsafe(24)
    ensure_login_role(role, password)
    before = stored(role)
    sent_sql.clear()
    ensure_login_role(role, password)
    assert changes(sent_sql) == []
    assert stored(role) == before


@pytest.mark.integration
def test_another_password_replaces_the_verifier(role: str, sent_sql: list[str]) -> None:
    old, new = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    ensure_login_role(role, old)
    sent_sql.clear()
    ensure_login_role(role, new)
    assert [sql.split(" PASSWORD ")[0] for sql in changes(sent_sql)] == [f"ALTER ROLE {role} LOGIN"]
    assert not any(new in sql or old in sql for sql in sent_sql)
    _, verifier = stored(role)
    assert scram_sha_256_verifies(verifier, new)
    assert not scram_sha_256_verifies(verifier, old)


@pytest.mark.integration
def test_role_that_cannot_log_in_is_given_login(role: str) -> None:
    password = secrets.token_urlsafe(24)
    run_sql(f"CREATE ROLE {role} NOLOGIN PASSWORD '{scram_sha_256_verifier(password)}'")
    ensure_login_role(role, password)
    assert stored(role)[0]


@pytest.fixture(scope="module")
def password_auth_server() -> Iterator[tuple[int, Path]]:
    """A throwaway PostgreSQL cluster whose TCP logins need a password (SCRAM), as the shared server's do not.

    Yields (TCP port, Unix socket directory); the postgres user logs in over the socket without a password.
    """
    initdbs = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    if not initdbs or not shutil.which("runuser"):
        pytest.skip("no PostgreSQL server binaries to start a throwaway cluster with")
    bindir = initdbs[-1].parent
    home = Path(tempfile.mkdtemp(prefix="odl-test-scram-"))
    shutil.chown(home, "postgres", "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def as_postgres(*command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True)

    data = home / "data"
    as_postgres(
        str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256"
    )
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1"
    as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start")
    try:
        yield port, home
    finally:
        as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(home)


@pytest.mark.integration
def test_stored_verifier_lets_the_role_log_in_by_password(role: str, password_auth_server: tuple[int, Path]) -> None:
    """The verifier ensure_login_role stored, moved to a server that checks passwords, takes the right one only."""
    port, socket_dir = password_auth_server
    password = secrets.token_urlsafe(24)
    ensure_login_role(role, password)
    _, verifier = stored(role)
    admin = f"host={socket_dir} port={port} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{verifier}'")
    try:
        login = f"host=127.0.0.1 port={port} user={role} dbname=postgres"
        with psycopg.connect(login, password=password) as connection:
            assert connection.execute("SELECT current_user").fetchone() == (role,)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(login, password=password + "x")
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP ROLE {role}")
