"""Test-wide settings and fixtures. Airflow reads its configuration at import, so env comes first."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_METADATA_DB = "odl_airflow_test"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

# A throwaway AIRFLOW_HOME keeps tests from writing ~/airflow or reading a developer's config.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="odl-test-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO_ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(REPO_ROOT / "plugins"))
# Integration tests run DAGs on a real PostgreSQL metadata DB of their own.
os.environ.setdefault(
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    f"postgresql+psycopg2://postgres@127.0.0.1:5432/{TEST_METADATA_DB}",
)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def ensure_postgres() -> None:
    """Start the machine's PostgreSQL cluster when it is installed but stopped."""
    if _port_open(5432):
        return
    clusters = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") and clusters.is_dir():
        for version in sorted(path.name for path in clusters.iterdir()):
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
    if not _port_open(5432):
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 and could not be started")


@pytest.fixture(scope="session")
def airflow_metadata_db() -> str:
    """A migrated Airflow metadata database in the local PostgreSQL (created once, reused)."""
    ensure_postgres()
    exists = subprocess.run(
        ["psql", POSTGRES_ADMIN_URL, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{TEST_METADATA_DB}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", POSTGRES_ADMIN_URL, "-qc", f"CREATE DATABASE {TEST_METADATA_DB}"], check=True)
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True)
    return os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
