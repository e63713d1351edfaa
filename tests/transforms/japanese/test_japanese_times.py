import pandas as pd
import pytest

from transforms.japanese import parse_times


def time_of_day(raw: str) -> tuple[str, str | None]:
    parsed = parse_times(pd.Series([raw], dtype=object))
    return parsed.values.iloc[0], parsed.errors.iloc[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9:00", "09:00"),
        ("09:00", "09:00"),
        ("９：００", "09:00"),
        ("9：00", "09:00"),
        ("9時", "09:00"),
        ("9時30分", "09:30"),
        ("9時5分", "09:05"),
        ("17時00分", "17:00"),
        ("9:00:00", "09:00"),
        ("9:00:59", "09:00"),
        ("0:00", "00:00"),
        ("23:59", "23:59"),
        ("24:00", "24:00"),
        ("24:00:00", "24:00"),
        ("24時", "24:00"),
        ("", ""),
    ],
)
def test_times_accepted(raw: str, expected: str) -> None:
    assert time_of_day(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw",
    [
        "24:01",
        "24:00:01",
        "25:00",
        "9:60",
        "9:00:60",
        "9時60分",
        "9",
        "900",
        "0900",
        "9:0",
        "9:000",
        "123:00",
        "午前9時",
        "9:00～17:00",
        "9.00",
        "9時半",
        "abc",
        ":30",
    ],
)
def test_invalid_times(raw: str) -> None:
    assert time_of_day(raw) == (raw, "invalid_time")
