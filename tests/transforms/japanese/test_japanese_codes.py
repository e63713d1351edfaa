import csv
from pathlib import Path

import pandas as pd
import pytest

from transforms.japanese import lg_check_digit, parse_lg_codes

MUNICIPALITIES = Path(__file__).resolve().parents[3] / "catalog" / "mie-municipalities.csv"


def mie_codes() -> list[str]:
    with MUNICIPALITIES.open(encoding="utf-8", newline="") as f:
        return [row["全国地方公共団体コード"] for row in csv.DictReader(f)]


def code(raw: str) -> tuple[str, str | None]:
    parsed = parse_lg_codes(pd.Series([raw], dtype=object))
    return parsed.values.iloc[0], parsed.errors.iloc[0]


def test_every_mie_code_passes() -> None:
    codes = mie_codes()
    assert len(codes) == 30  # 三重県 itself and its 29 市町 (14 市, 15 町)
    parsed = parse_lg_codes(pd.Series(codes, dtype=object))
    assert parsed.errors.isna().all()
    assert parsed.values.tolist() == codes


@pytest.mark.parametrize("full_code", mie_codes())
def test_check_digit_of_every_mie_code(full_code: str) -> None:
    assert lg_check_digit(full_code[:5]) == int(full_code[5])


@pytest.mark.parametrize(
    ("first_five", "expected"), [("24201", 2), ("13101", 6), ("01100", 2), ("01202", 5), ("24000", 1)]
)
def test_lg_check_digit(first_five: str, expected: int) -> None:
    assert lg_check_digit(first_five) == expected


@pytest.mark.parametrize("bad", ["2420", "242012", "2420a", "２４２０１", ""])
def test_lg_check_digit_needs_five_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="not five digits"):
        lg_check_digit(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("242012", "242012"),
        ("２４２０１２", "242012"),
        ("242012.0", "242012"),
        ("２４２０１２．０", "242012"),
        ("12025", "012025"),  # 函館市: the leading zero Excel dropped, confirmed by the check digit
        ("12025.0", "012025"),
        ("011002", "011002"),
        ("", ""),
    ],
)
def test_codes_accepted(raw: str, expected: str) -> None:
    assert code(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw",
    ["24212", "12026", "2420", "2420123", "24201a", "津市", "-24201", "242012.5", "24 2012", "24,201"],
)
def test_invalid_codes(raw: str) -> None:
    assert code(raw) == (raw, "invalid_lg_code")


@pytest.mark.parametrize("raw", ["242013", "242010", "２４２０１９", "012026"])
def test_wrong_check_digit(raw: str) -> None:
    assert code(raw) == (raw, "lg_code_check_digit")


@pytest.mark.parametrize("storage", ["pyarrow", "python"])
@pytest.mark.parametrize("dtype", [object, "str"])
def test_restoring_a_zero_leaves_the_input_unchanged(storage: str, dtype: object) -> None:
    with pd.option_context("mode.string_storage", storage):
        s = pd.Series(["12025"], dtype=dtype)
        assert parse_lg_codes(s).values.tolist() == ["012025"]
        assert s.tolist() == ["12025"]
