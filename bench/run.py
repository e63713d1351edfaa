"""`make bench`: measured speed and memory, written to bench/results.md and bench/results.json.

Each measurement runs in its own process three times; the median time and the
largest peak RSS are reported.
"""

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.generate import write_csf_wild_boar

BENCH_DIR = Path(__file__).resolve().parent
WORK_DIR = BENCH_DIR / "work"
ROWS = 1_000_000
REPEATS = 3
VENV_BIN = Path(sys.executable).parent


def timed(command: list[str], ok_codes: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one run of command in a fresh child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if completed.returncode not in ok_codes:
        raise RuntimeError(f"{command} exited {completed.returncode}: {completed.stderr[-2000:]}")
    # RUSAGE_CHILDREN keeps the largest child so far; a fresh measurement needs a larger child to show.
    peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return seconds, peak_kb / 1024


def measure(command: list[str], rows: int, method: str) -> dict[str, Any]:
    runs = [timed([str(VENV_BIN / "python"), "-c", PEAK_WRAPPER, *command]) for _ in range(REPEATS)]
    seconds = statistics.median(run[0] for run in runs)
    return {
        "method": method,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if rows else None,
        "ratio_to_floor": None,
        "peak_rss_mb": round(max(run[1] for run in runs), 1),
    }


# Runs the command as a child and exits with its code, so each measurement's RSS is its own process tree's.
PEAK_WRAPPER = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode)"


def dag_parse_seconds() -> float:
    code = (
        "import time, sys; sys.path[:0] = ['plugins', 'dags']; "
        "from airflow.dag_processing.dagbag import DagBag; "
        "start = time.perf_counter(); bag = DagBag('dags'); "
        "assert not bag.import_errors, bag.import_errors; print(time.perf_counter() - start)"
    )
    env = os.environ | {"AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW_HOME": str(WORK_DIR / "airflow-home")}
    out = subprocess.run([str(VENV_BIN / "python"), "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def main() -> None:
    csf = WORK_DIR / "豚熱検査結果_1M.csv"
    if not csf.exists():
        write_csf_wild_boar(csf, ROWS)
    check = measure(
        [str(VENV_BIN / "odl"), "check", str(csf), "--dataset", "csf-wild-boar"],
        ROWS,
        "odl check (csf-wild-boar, cp932)",
    )
    parse_seconds = min(dag_parse_seconds() for _ in range(REPEATS))
    results = [
        check,
        {
            "method": "parse all DAG files (DagBag)",
            "rows": 0,
            "seconds": round(parse_seconds, 3),
            "rows_per_s": None,
            "ratio_to_floor": None,
            "peak_rss_mb": None,
        },
    ]
    targets = [
        {
            "name": "odl check rows/s at 1M rows",
            "target": ">= 100000",
            "measured": check["rows_per_s"],
            "met": check["rows_per_s"] >= 100_000,
        },
        {
            "name": "odl check peak RSS MB at 1M rows",
            "target": "<= 2048",
            "measured": check["peak_rss_mb"],
            "met": check["peak_rss_mb"] <= 2048,
        },
        {
            "name": "all DAG files parse, seconds",
            "target": "<= 1",
            "measured": round(parse_seconds, 3),
            "met": parse_seconds <= 1,
        },
    ]
    report = {"machine": machine(), "results": results, "targets": targets}
    (BENCH_DIR / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (BENCH_DIR / "results.md").write_text(render_markdown(report), encoding="utf-8")
    print(render_markdown(report))


def render_markdown(report: dict[str, Any]) -> str:
    lines = [
        "# odl benchmark results",
        "",
        f"Machine: {report['machine']}",
        "",
        "| method | rows | seconds | rows/s | ratio to floor | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        lines.append(
            f"| {r['method']} | {r['rows']:,} | {r['seconds']} | {r['rows_per_s'] or '-'} | {r['ratio_to_floor'] or '-'} | {r['peak_rss_mb'] or '-'} |"
        )
    lines += ["", "| target | wanted | measured | met |", "|---|---|---|---|"]
    lines += [
        f"| {t['name']} | {t['target']} | {t['measured']} | {'yes' if t['met'] else 'NO'} |" for t in report["targets"]
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
