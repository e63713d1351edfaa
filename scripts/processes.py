"""Detached service processes tracked by PID files: start once, reuse while alive, stop exactly those."""

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Secrets and PIDs are readable by their owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def stored_secrets(path: Path, generate: Callable[[], dict[str, str]]) -> dict[str, str]:
    """The secrets kept in path, generated once (0600) and reused by every later run."""
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    generated = generate()
    write_private(path, json.dumps(generated))
    return generated


def running_pid(pid_file: Path) -> int | None:
    """The PID in pid_file if that process is still alive (and not a zombie), else None."""
    try:
        pid = int(pid_file.read_text().strip())
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
    except (OSError, ValueError):
        return None
    return None if state == "Z" else pid


def start(name: str, command: list[str], env: dict[str, str], state_dir: Path) -> int:
    """Start command detached in its own session unless its PID file names a live process."""
    pid_file = state_dir / "pids" / f"{name}.pid"
    pid = running_pid(pid_file)
    if pid is not None:
        return pid
    logs = state_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    write_private(pid_file, f"{process.pid}\n")
    return process.pid


def stop(name: str, state_dir: Path, timeout: float = 20) -> bool:
    """Stop the process group started under name; True if something was stopped."""
    pid_file = state_dir / "pids" / f"{name}.pid"
    pid = running_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    # start() made the process a session leader, so its PID is its process group: children go too.
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.2)
    if _group_alive(pid):
        os.killpg(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return any(
        _pgid_of(proc) == pgid for proc in Path("/proc").iterdir() if proc.name.isdigit() and not _is_zombie(proc)
    )


def _pgid_of(proc: Path) -> int | None:
    try:
        return int(proc.joinpath("stat").read_text().split(") ")[-1].split()[2])
    except (OSError, ValueError, IndexError):
        return None


def _is_zombie(proc: Path) -> bool:
    try:
        return proc.joinpath("stat").read_text().split(") ")[-1][:1] == "Z"
    except OSError:
        return True


def wait_for(check: Callable[[], bool], what: str, timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    hint = f"; see {log}" if log else ""
    raise TimeoutError(f"{what} did not come up within {timeout:.0f} s{hint}")
