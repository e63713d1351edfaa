"""Fixtures for the reader tests: files are written in code, in the encoding under test."""

from pathlib import Path

import pytest

from tests.transforms.readers.reader_samples import WriteFile


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    def write(name: str, content: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return write
