"""Run `odl check` on one hostile file as a child process, within a time and memory bound, and measure it.

Peak RSS is the kernel's rusage of odl, read by a small stdlib-only Python wrapper that starts it (as GNU
time does, without needing it installed): a child forked straight from this process would inherit this
process's own peak in its rusage; the wrapper's own is a few MB. Address space and CPU time are capped
with setrlimit, so that a case gone wrong cannot take the shared machine down.
"""

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transforms.settings import PROJECT_ROOT

ODL = PROJECT_ROOT / ".venv" / "bin" / "odl"
# argv: peak file, command…; writes the command's peak RSS in KiB to the peak file, exits with its exit code.
MEASURE = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code if code >= 0 else 128 - code)"
)
SECONDS = 30  # the bound per case
PEAK_RSS = 1 << 30  # 1 GiB
# Address space, not RSS: numpy and Arrow reserve more than they touch, so this cap sits above PEAK_RSS.
ADDRESS_SPACE = 4 << 30


@dataclass(frozen=True)
class Outcome:
    exit_code: int | None  # None when killed at the time bound or by a signal
    seconds: float
    peak_rss: int  # bytes
    report: dict[str, Any] | None  # the --json object, if one was printed
    json_bytes: int
    stderr: str

    @property
    def codes(self) -> set[str]:
        report = self.report or {}
        return {finding["code"] for finding in report.get("errors", []) + report.get("warnings", [])}


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS * 2, SECONDS * 2))


def run_check(path: Path, dataset: str, env: dict[str, str] | None = None, seconds: float = SECONDS) -> Outcome:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as peak:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-S", "-c", MEASURE, peak.name, str(ODL), "check", str(path), "--dataset", dataset, "--json"],
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {})},
            preexec_fn=_limit_child,
            start_new_session=True,  # its own process group: the time bound kills odl too, not only time
        )
        try:
            exit_code: int | None = child.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            exit_code = None
        elapsed = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        printed, errors = out.read(), err.read()
        measured = Path(peak.name).read_text().split()
    try:
        report = json.loads(printed) if printed.strip() else None
    except json.JSONDecodeError:
        report = None
    return Outcome(
        exit_code,
        elapsed,
        int(measured[-1]) * 1024 if measured and measured[-1].isdigit() else 0,  # kilobytes
        report,
        len(printed),
        errors.decode(errors="replace")[-3000:],
    )


if __name__ == "__main__":
    from tests.hostile.corpus import CASES, DATASET, write_corpus

    folder = Path(sys.argv[1])
    wanted = set(sys.argv[2:])
    cases = [case for case in CASES if not wanted or case.name in wanted]
    paths = write_corpus(folder, cases)
    for case in cases:
        result = run_check(paths[case.name], DATASET, case.env)
        print(
            f"{case.name:26} exit {result.exit_code!s:4} (want {case.exit_code}) {result.seconds:6.1f} s "
            f"{result.peak_rss / (1 << 20):7.0f} MiB json {result.json_bytes:>9,} codes {sorted(result.codes)}",
            flush=True,
        )
        if result.exit_code != case.exit_code or not case.codes <= result.codes:
            print("   ", result.stderr[-400:].replace("\n", "\n    "))
