"""Shared helpers for the reader tests: files are written in code, in the encoding under test."""

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# tests/ is on sys.path (the rootdir conftest, prepend import mode), so tests/transforms/ is seen as a
# namespace package `transforms` and tests/transforms/readers/ then shadows transforms.readers. A
# regular package anywhere on sys.path beats a namespace one, so list the repository root and drop a
# namespace `transforms` imported before this ran. (Listing "." in pytest's pythonpath would do it for all.)
REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.append(str(REPO_ROOT))
if getattr(sys.modules.get("transforms"), "__file__", None) is None:
    sys.modules.pop("transforms", None)

MONTHS = [f"{month}月" for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
VISITOR_COLUMNS = ["市町名", *MONTHS, "合計"]
FACILITY_COLUMNS = ["全国地方公共団体コード", "ID", "名称", "緯度", "経度", "備考"]

WriteFile = Callable[[str, bytes], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    def write(name: str, content: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return write
