"""Files the stages share: atomic writes, advisory locks and the append-only ledgers (data/ledger/*.jsonl)."""

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on path (created if need be), held for the with-block, across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def append_ledger_line(data_root: Path, ledger: str, record: dict[str, Any]) -> None:
    """One JSON line in data/ledger/<ledger>; concurrent runs never interleave their lines."""
    path = data_root / "ledger" / ledger
    with locked(path.with_name(f".{path.stem}.lock")), path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_ledger(data_root: Path, ledger: str) -> list[dict[str, Any]]:
    """A ledger's records in the order written; a line cut short by a crash is skipped."""
    path = data_root / "ledger" / ledger
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
