"""`make demo`: sample departmental files in, through the store DAGs, outcomes out.

Runs on this machine's PostgreSQL (Airflow metadata DB `odl_airflow`) with the
project's real DAGs: samples from scripts/make_samples.py are submitted into
the department inboxes exactly as `odl submit` does, then each department's
store DAG is run once with `airflow dags test`. Samples already archived are
not submitted again, so a second run changes nothing.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from scripts.services import ensure_database, ensure_postgres  # noqa: E402
from transforms import settings  # noqa: E402
from transforms.contracts import load_departments, load_source_contracts  # noqa: E402
from transforms.store import identify_dataset, inbox_files, sha256_of, submit  # noqa: E402

METADATA_DB = "odl_airflow"
VENV_BIN = Path(sys.executable).parent


def airflow_env() -> dict[str, str]:
    return os.environ | {
        "AIRFLOW_HOME": str(REPO_ROOT / "airflow-home"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{METADATA_DB}",
    }


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def main() -> None:
    started = time.perf_counter()
    data_root = settings.data_root()
    logs = data_root / "demo-logs"
    logs.mkdir(parents=True, exist_ok=True)

    step("PostgreSQL and the Airflow metadata DB")
    ensure_postgres()
    ensure_database(METADATA_DB)
    with (logs / "airflow-db-migrate.log").open("w") as log:
        subprocess.run([VENV_BIN / "airflow", "db", "migrate"], env=airflow_env(), stdout=log, stderr=log, check=True)

    step("Sample submissions (deterministic, scripts/make_samples.py)")
    samples = data_root / "samples"
    subprocess.run([sys.executable, REPO_ROOT / "scripts" / "make_samples.py", samples], check=True)
    contracts, departments = load_source_contracts(), load_departments()
    for department_dir in sorted(path for path in samples.iterdir() if path.is_dir()):
        department = departments[department_dir.name]
        for sample in sorted(department_dir.iterdir()):
            dataset = identify_dataset(sample, department.id, contracts)
            manifest = data_root / "archive" / sha256_of(sample) / "manifest.json"
            if manifest.exists():
                print(f"  {department.name}: {sample.name} (already received)")
                continue
            submit(sample, department, dataset)
            print(f"  {department.name}: {sample.name} → inbox")

    step("Store DAGs (ためる)")
    for department in departments.values():
        if not inbox_files(department.id):
            continue
        dag_id = f"store_{department.id.replace('-', '_')}"
        print(f"  airflow dags test {dag_id} …", flush=True)
        with (logs / f"{dag_id}.log").open("w") as log:
            subprocess.run(
                [VENV_BIN / "airflow", "dags", "test", dag_id], env=airflow_env(), stdout=log, stderr=log, check=True
            )

    step("Outcomes")
    ledger_path = data_root / "ledger" / "submissions.jsonl"
    ledger = (
        [json.loads(line) for line in ledger_path.read_text(encoding="utf-8").splitlines()]
        if ledger_path.exists()
        else []
    )
    for entry in ledger:
        name = departments[entry["department"]].name
        if entry["outcome"] == "accepted":
            print(
                f"  受付 {name} {entry['original_name']} → {entry['dataset']} {entry['rows']:,} 行 ({entry['raw_path']})"
            )
        elif entry["outcome"] == "rejected":
            print(f"  差戻 {name} {entry['original_name']}: エラー {entry['errors']} 件 → {entry['report_path']}")
    print(f"\nDone in {time.perf_counter() - started:.0f} s. Logs: {logs}")


if __name__ == "__main__":
    main()
