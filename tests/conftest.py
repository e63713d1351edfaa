"""Test-wide settings and fixtures. Airflow reads its configuration at import, so env comes first."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from scripts.services import ensure_database, ensure_postgres

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_METADATA_DB = "odl_airflow_test"

# A throwaway AIRFLOW_HOME keeps tests from writing ~/airflow or reading a developer's config.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="odl-test-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO_ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(REPO_ROOT / "plugins"))
# Integration tests run DAGs on a real PostgreSQL metadata DB of their own, never a developer's.
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{TEST_METADATA_DB}"


@pytest.fixture(scope="session")
def airflow_metadata_db() -> str:
    """A migrated Airflow metadata database in the local PostgreSQL (created once, reused)."""
    ensure_postgres()
    ensure_database(TEST_METADATA_DB)
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True)
    return os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


def workbook_file(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """path, saved as an .xlsx with one sheet per entry of sheets (its name → its rows)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path
