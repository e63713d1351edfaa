"""Detached services: started once, reused while alive, and stopped exactly (children too, nothing else)."""

import os
import subprocess
import time
from pathlib import Path

from scripts import processes


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1]
    except OSError:
        return False
    return state != "Z"


def test_start_reuses_a_live_process_and_stop_ends_it_with_its_children(tmp_path: Path) -> None:
    # The service forks a child, as gunicorn and Airflow do.
    command = ["bash", "-c", f"sleep 300 & echo $! > {tmp_path}/child.pid; wait"]
    env = dict(os.environ)
    pid = processes.start("svc", command, env, tmp_path)
    assert processes.start("svc", command, env, tmp_path) == pid  # a second start reuses it
    bystander = subprocess.Popen(["sleep", "300"])
    deadline = time.monotonic() + 5
    while not (tmp_path / "child.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int((tmp_path / "child.pid").read_text())
    try:
        assert processes.stop("svc", tmp_path) is True
        assert not alive(pid)
        assert not alive(child)
        assert alive(bystander.pid)  # nothing it did not start
        assert not (tmp_path / "pids" / "svc.pid").exists()
        assert processes.stop("svc", tmp_path) is False
    finally:
        bystander.kill()
        bystander.wait()


def test_pid_and_secret_files_are_private(tmp_path: Path) -> None:
    processes.write_private(tmp_path / "state" / "secret.json", "{}")
    assert (tmp_path / "state" / "secret.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700


def test_a_stale_pid_file_does_not_count_as_running(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids" / "gone.pid"
    pid_file.parent.mkdir()
    pid_file.write_text("999999999\n")
    assert processes.running_pid(pid_file) is None
