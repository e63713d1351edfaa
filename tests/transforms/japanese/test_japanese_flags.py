import pandas as pd
import pytest

from transforms.japanese import parse_flags


def flag(raw: str) -> tuple[str, str | None]:
    parsed = parse_flags(pd.Series([raw], dtype=object))
    return parsed.values.iloc[0], parsed.errors.iloc[0]


@pytest.mark.parametrize(("raw", "expected"), [("1", "1"), ("１", "1"), ("1.0", "1"), ("1.00", "1"), ("", "")])
def test_flags_accepted(raw: str, expected: str) -> None:
    assert flag(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["○", "◯", "〇", "有", "あり", "0", "0.0", "yes", "TRUE", "2", "1.5", "11", "-", "✓"])
def test_invalid_flags(raw: str) -> None:
    assert flag(raw) == (raw, "invalid_flag")
