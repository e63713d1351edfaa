"""`scripts/stack up|down|status`: the embedded default stack, idempotent, tracked by PID files in state/."""

import argparse
import json
import sys
import time
from pathlib import Path

from scripts import stack_airflow, stack_ckan
from scripts.processes import write_private
from scripts.services import ensure_postgres, ensure_redis

STATE_DIR = Path(__file__).resolve().parents[1] / "state"


def up(state_dir: Path = STATE_DIR, executor: str | None = None) -> dict[str, dict[str, str]]:
    """Everything up; executor is local or celery (None: ODL_EXECUTOR, else local), a change restarts Airflow."""
    started = time.perf_counter()
    state_dir.mkdir(mode=0o700, exist_ok=True)
    ensure_postgres()
    ensure_redis()
    ckan = stack_ckan.up(state_dir)
    airflow = stack_airflow.up(state_dir, ckan, executor)
    write_private(state_dir / "stack.json", json.dumps({"ckan_url": ckan["url"], "airflow_url": airflow["url"]}))
    print(f"stack up in {time.perf_counter() - started:.1f} s")
    return {"ckan": ckan, "airflow": airflow}


def down(state_dir: Path = STATE_DIR) -> None:
    stopped = stack_airflow.down(state_dir)
    stack_ckan.down(state_dir)
    print("stopped: " + (", ".join(stopped) if stopped else "no Airflow process was running") + "; CKAN stopped")


def status(state_dir: Path = STATE_DIR) -> None:
    for line in stack_ckan.status(state_dir) + stack_airflow.status(state_dir):
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/stack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument(
        "--executor",
        choices=sorted(stack_airflow.EXECUTORS),
        help="up: run Airflow tasks under LocalExecutor or on two Celery workers (default: $ODL_EXECUTOR, else local)",
    )
    arguments = parser.parse_args()
    command = arguments.command
    if command == "up":
        up(executor=arguments.executor)
        status()
    elif command == "down":
        down()
    else:
        status()
    return 0


if __name__ == "__main__":
    sys.exit(main())
