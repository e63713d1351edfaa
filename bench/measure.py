"""Run one measurement in a fresh child process: wall seconds, peak RSS and what it printed."""

import json
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time of the whole child process
    peak_rss_mb: float  # the child's (and its waited-for children's) largest resident set
    output: dict[str, Any]  # the last stdout line when it is a JSON object, else {}


def run_child(command: Sequence[str], env: dict[str, str] | None = None, ok_codes: tuple[int, ...] = (0,)) -> Run:
    """command in its own process; wait4 gives that process tree's own peak RSS, not the largest child so far."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or os.environ.copy(), text=True
    )
    # Read both pipes to the end first (a full pipe would block the child), then reap it with wait4.
    stdout, stderr = _drain(process)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok_codes:
        raise RuntimeError(f"{' '.join(command[:4])} … exited {process.returncode}: {stderr[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, _last_json(stdout))


def _drain(process: subprocess.Popen[str]) -> tuple[str, str]:
    chunks: dict[str, str] = {}

    def read(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    threads = [
        threading.Thread(target=read, args=(name, stream))
        for name, stream in (("out", process.stdout), ("err", process.stderr))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return chunks.get("out", ""), chunks.get("err", "")


def _last_json(stdout: str) -> dict[str, Any]:
    lines = [line for line in stdout.strip().splitlines() if line.startswith("{")]
    if not lines:
        return {}
    try:
        parsed = json.loads(lines[-1])
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def repeat(measure: Callable[[], Run], times: int) -> list[Run]:
    return [measure() for _ in range(times)]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))
