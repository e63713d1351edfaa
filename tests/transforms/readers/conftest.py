"""Fixtures for the reader tests: files are written in code, in the encoding under test."""

import sys
from pathlib import Path

import pytest
from reader_samples import WriteFile

# tests/ is on sys.path (the rootdir conftest, prepend import mode), so tests/transforms/ is seen as a
# namespace package `transforms` and tests/transforms/readers/ then shadows transforms.readers. A
# regular package anywhere on sys.path beats a namespace one, so list the repository root and drop a
# namespace `transforms` imported before this ran. (Listing "." in pytest's pythonpath would do it for all.)
REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.append(str(REPO_ROOT))
if getattr(sys.modules.get("transforms"), "__file__", None) is None:
    sys.modules.pop("transforms", None)


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    def write(name: str, content: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return write
