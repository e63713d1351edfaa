"""Settings: paths and read bounds, each overridable by an environment variable."""

import pytest

from transforms.settings import ReadLimits, read_limits


def test_read_limits_default_to_the_documented_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ReadLimits.__dataclass_fields__:
        monkeypatch.delenv(f"ODL_MAX_{name.upper()}", raising=False)
    limits = read_limits()
    assert limits == ReadLimits()
    assert (limits.file_bytes, limits.columns, limits.cell_chars) == (100 << 20, 16_384, 32_767)


def test_each_read_limit_follows_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODL_MAX_FILE_BYTES", "1000")
    monkeypatch.setenv("ODL_MAX_READ_SECONDS", "2.5")
    monkeypatch.setenv("ODL_MAX_FINDINGS_PER_CODE", "7")
    limits = read_limits()
    assert (limits.file_bytes, limits.read_seconds, limits.findings_per_code) == (1000, 2.5, 7)
    assert limits.cells == ReadLimits().cells
