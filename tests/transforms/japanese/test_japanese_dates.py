import datetime as dt

import pandas as pd
import pytest

from transforms.japanese import date_error_params, parse_dates
from transforms.japanese.dates import era_span, western_year


def date(raw: str) -> tuple[str, str | None]:
    parsed = parse_dates(pd.Series([raw], dtype=object))
    return parsed.values.iloc[0], parsed.errors.iloc[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-04-01", "2024-04-01"),
        ("2024-4-1", "2024-04-01"),
        ("2024/4/1", "2024-04-01"),
        ("2024/04/01", "2024-04-01"),
        ("2024.4.1", "2024-04-01"),
        ("2024年4月1日", "2024-04-01"),
        ("20240401", "2024-04-01"),
        ("２０２４／４／１", "2024-04-01"),
        ("令和6年4月1日", "2024-04-01"),
        ("令和６年４月１日", "2024-04-01"),
        ("令和元年5月1日", "2019-05-01"),
        ("平成31年4月30日", "2019-04-30"),
        ("平成元年1月8日", "1989-01-08"),
        ("昭和64年1月7日", "1989-01-07"),
        ("大正15年12月24日", "1926-12-24"),
        ("明治45年7月29日", "1912-07-29"),
        ("明治元年1月25日", "1868-01-25"),
        ("R6.4.1", "2024-04-01"),
        ("R6/4/1", "2024-04-01"),
        ("R6-4-1", "2024-04-01"),
        ("R06.04.01", "2024-04-01"),
        ("r6.4.1", "2024-04-01"),
        ("R元.5.1", "2019-05-01"),
        ("R6年4月1日", "2024-04-01"),
        ("Ｒ６．４．１", "2024-04-01"),
        ("ｒ６．４．１", "2024-04-01"),
        ("H31.4.30", "2019-04-30"),
        ("h31.4.30", "2019-04-30"),
        ("S64.1.7", "1989-01-07"),
        ("T15.12.24", "1926-12-24"),
        ("M45.7.29", "1912-07-29"),
        ("令和 6年 4月 1日", "2024-04-01"),
        ("R 6. 4. 1", "2024-04-01"),
        ("令和　６年　４月　１日", "2024-04-01"),
        ("2024年4月1日（月）", "2024-04-01"),
        ("2024年4月1日 (月)", "2024-04-01"),
        ("2024/4/1(月)", "2024-04-01"),
        ("令和6年4月1日（月曜日）", "2024-04-01"),
        ("2024-04-01 00:00:00", "2024-04-01"),
        ("2024/4/1 9:30", "2024-04-01"),
        ("2024-04-01T10:00:00", "2024-04-01"),
        ("2024-04-01 10:00:00.000", "2024-04-01"),
        ("令和6年4月1日(月) 10時30分", "2024-04-01"),
        ("2024-02-29", "2024-02-29"),
        ("2000-02-29", "2000-02-29"),
        ("", ""),
    ],
)
def test_dates_accepted(raw: str, expected: str) -> None:
    assert date(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "2024-4",
        "2024年4月",
        "2024年4月1",
        "2024/04-01",
        "24/4/1",
        "4/1",
        "202441",
        "令和6年",
        "X6.4.1",
        "RR6.4.1",
        "令和123年4月1日",
        "10:00",
        "(月)",
        "2024-04-01 朝",
        "2024-04-0110:00",
        "元年5月1日",
        "2024元4月1日",
    ],
)
def test_invalid_dates(raw: str) -> None:
    assert date(raw) == (raw, "invalid_date")


@pytest.mark.parametrize(
    "raw",
    [
        "2024-02-30",
        "2023-02-29",
        "1900-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-04-31",
        "2024-04-00",
        "20241301",
        "0000-01-01",
        "令和6年2月30日",
        "R6.13.1",
        "平成32年2月30日",
    ],
)
def test_impossible_dates(raw: str) -> None:
    assert date(raw) == (raw, "impossible_date")


@pytest.mark.parametrize(
    "raw",
    [
        "平成32年1月1日",
        "H32.1.1",
        "令和0年5月1日",
        "R0.5.1",
        "令和元年4月30日",
        "平成31年5月1日",
        "昭和64年1月8日",
        "S64.1.8",
        "平成元年1月7日",
        "大正元年7月29日",
        "明治元年1月24日",
        "大正16年1月1日",
        "明治46年1月1日",
    ],
)
def test_era_year_out_of_range(raw: str) -> None:
    assert date(raw) == (raw, "era_year_out_of_range")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("平成32年1月1日", {"era": "平成", "first": "1989-01-08", "last": "2019-04-30"}),
        ("H32.1.1", {"era": "平成", "first": "1989-01-08", "last": "2019-04-30"}),
        ("ｈ３２．１．１", {"era": "平成", "first": "1989-01-08", "last": "2019-04-30"}),
        ("昭和64年1月8日", {"era": "昭和", "first": "1926-12-25", "last": "1989-01-07"}),
        ("大正16年1月1日", {"era": "大正", "first": "1912-07-30", "last": "1926-12-24"}),
        ("M46.1.1", {"era": "明治", "first": "1868-01-25", "last": "1912-07-29"}),
        ("令和0年5月1日", {"era": "令和", "first": "2019-05-01", "last": "現在"}),
    ],
)
def test_date_error_params(raw: str, expected: dict[str, str]) -> None:
    assert date_error_params(raw) == expected


def test_date_error_params_rejects_a_western_date() -> None:
    with pytest.raises(ValueError, match="not a Japanese-era date"):
        date_error_params("2024-02-30")


def test_era_boundaries_are_exact_for_every_era() -> None:
    cells = ["M45.7.29", "T1.7.30", "T15.12.24", "S1.12.25", "S64.1.7", "H1.1.8", "H31.4.30", "R1.5.1"]
    cells += ["M45.7.30", "T1.7.29", "T15.12.25", "S1.12.24", "S64.1.8", "H1.1.7", "H31.5.1", "R1.4.30"]
    errors = parse_dates(pd.Series(cells, dtype=object)).errors.tolist()
    assert errors == [None] * 8 + ["era_year_out_of_range"] * 8


def test_western_year_of_an_era_year_by_name_or_letter() -> None:
    era_years = [("令和", "6"), ("R", "元"), ("h", "31"), ("平成", "元"), ("S", "45"), ("大正", "15")]
    assert [western_year(era, number) for era, number in era_years] == [2024, 2019, 2019, 1989, 1970, 1926]


def test_era_span_is_the_first_and_last_day_by_name_or_letter() -> None:
    assert era_span("平成") == (dt.date(1989, 1, 8), dt.date(2019, 4, 30))
    assert era_span("s") == (dt.date(1926, 12, 25), dt.date(1989, 1, 7))
    assert era_span("令和") == (dt.date(2019, 5, 1), dt.date.max)
    with pytest.raises(ValueError):
        era_span("西暦")
