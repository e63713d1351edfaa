import pandas as pd
import pytest

from transforms.japanese import parse_decimals, parse_integers


def integer(raw: str, *, non_negative: bool = True) -> tuple[str, str | None]:
    parsed = parse_integers(pd.Series([raw], dtype=object), non_negative=non_negative)
    return parsed.values.iloc[0], parsed.errors.iloc[0]


def decimal(raw: str, *, non_negative: bool = False) -> tuple[str, str | None]:
    parsed = parse_decimals(pd.Series([raw], dtype=object), non_negative=non_negative)
    return parsed.values.iloc[0], parsed.errors.iloc[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", "1234"),
        ("242,012", "242012"),
        ("1,234,567", "1234567"),
        ("１２３", "123"),
        ("１，２３４", "1234"),
        ("1.0", "1"),
        ("1.00", "1"),
        ("007", "7"),
        ("0", "0"),
        ("00", "0"),
        ("+7", "7"),
        ("+007", "7"),
        ("-0", "0"),
        ("", ""),
    ],
)
def test_integers_accepted(raw: str, expected: str) -> None:
    assert integer(raw) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("-5", "-5"), ("－５", "-5"), ("−12", "-12"), ("▲3", "-3"), ("△1,000", "-1000"), ("-007", "-7")],
)
def test_negative_integers_allowed_when_asked(raw: str, expected: str) -> None:
    assert integer(raw, non_negative=False) == (expected, None)


@pytest.mark.parametrize("raw", ["-5", "－５", "−12", "▲3", "-1.0"])
def test_negative_integers_rejected_when_non_negative(raw: str) -> None:
    assert integer(raw) == (raw, "negative_number")


@pytest.mark.parametrize(
    "raw", ["1.5", "1,5", "12,34", "1,2345", ",123", "1e5", "abc", "1 234", "１２３個", "1.", "--1", "+-1", "0x10"]
)
def test_invalid_integers(raw: str) -> None:
    assert integer(raw) == (raw, "invalid_integer")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("34.730278", "34.730278"),
        ("136.508611", "136.508611"),
        ("34.7300", "34.73"),
        ("1.0", "1"),
        ("1.500", "1.5"),
        ("100.0", "100"),
        ("10", "10"),
        ("5.", "5"),
        (".5", "0.5"),
        ("-.5", "-0.5"),
        ("+.5", "0.5"),
        ("-007.50", "-7.5"),
        ("0.0", "0"),
        ("-0.0", "0"),
        ("1,234.50", "1234.5"),
        ("３４．７３", "34.73"),
        ("−1.25", "-1.25"),
        ("0.000001", "0.000001"),
        ("", ""),
    ],
)
def test_decimals_accepted(raw: str, expected: str) -> None:
    assert decimal(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["1.2.3", "1,5", "1e-5", "1.23E+05", "abc", ".", "-", "34.7°", "北緯34"])
def test_invalid_decimals(raw: str) -> None:
    assert decimal(raw) == (raw, "invalid_number")


@pytest.mark.parametrize("raw", ["-1.5", "－０．５", "−12", "▲3.25", "-.5"])
def test_negative_decimals_rejected_when_non_negative(raw: str) -> None:
    assert decimal(raw, non_negative=True) == (raw, "negative_number")


@pytest.mark.parametrize(("raw", "expected"), [("0", "0"), ("-0.0", "0"), ("12.50", "12.5"), ("", "")])
def test_zero_and_positive_decimals_pass_when_non_negative(raw: str, expected: str) -> None:
    assert decimal(raw, non_negative=True) == (expected, None)
