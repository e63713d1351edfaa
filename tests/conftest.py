"""Test-wide settings. Airflow reads its configuration at import, so this runs first."""

import os
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# A throwaway AIRFLOW_HOME keeps tests from writing ~/airflow or reading a developer's config.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="odl-test-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO_ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(REPO_ROOT / "plugins"))
