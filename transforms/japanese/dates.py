"""Dates in 西暦 or 和暦 (令和6年4月1日, R6.4.1, Ｈ３１．４．３０ …) to ISO YYYY-MM-DD."""

from datetime import date, timedelta

import numpy as np
import pandas as pd

from transforms.japanese._text import build, cells, codepoints, digit_groups, joined, zero_padded
from transforms.japanese.parsed import Parsed
from transforms.japanese.width import fold_ascii_width, half_width

# (name, letter, first day). An era ends the day before the next one starts. 明治 is taken to
# start on 1868-01-25 as the rules say, so 明治元年 dates before its proclamation (1868-10-23) pass.
ERAS = (
    ("明治", "M", date(1868, 1, 25)),
    ("大正", "T", date(1912, 7, 30)),
    ("昭和", "S", date(1926, 12, 25)),
    ("平成", "H", date(1989, 1, 8)),
    ("令和", "R", date(2019, 5, 1)),
)
_LAST_DAYS = [following - timedelta(days=1) for _, _, following in ERAS[1:]] + [date.max]
_FIRST_YEARS = {key: first.year for name, letter, first in ERAS for key in (name, letter)}

# A weekday such as (月) and a time such as " 10:00" or "T10:00:00" may follow the date; both are dropped
# (the weekday is not checked against the date).
_WEEKDAY = r" *\((月|火|水|木|金|土|日)(曜日?)?\)"
_TIME = r"( +|T)[0-9]{1,2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?|時([0-9]{1,2}分([0-9]{1,2}秒)?)?)"
_TRAILER = rf"({_WEEKDAY}({_TIME})?|{_TIME})$"
_MONTH_DAY = r"(-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2}|\.[0-9]{1,2}\.[0-9]{1,2}|年[0-9]{1,2}月[0-9]{1,2}日)"
_ERA_NAMES = "|".join(name for name, _, _ in ERAS)
_ERA_LETTERS = "".join(letter for _, letter, _ in ERAS)
_DATE = rf"[0-9]{{4}}({_MONTH_DAY}|[0-9]{{4}})|({_ERA_NAMES}|[{_ERA_LETTERS}])([0-9]{{1,2}}|元){_MONTH_DAY}"

_FIRST_YEAR = np.array([first.year for _, _, first in ERAS])
_FIRST_DAY = np.array([first.year * 10000 + first.month * 100 + first.day for _, _, first in ERAS])  # YYYYMMDD
_LAST_DAY = np.array([last.year * 10000 + last.month * 100 + last.day for last in _LAST_DAYS])
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def parse_dates(s: pd.Series) -> Parsed:
    """Dates to YYYY-MM-DD: 2024-04-01, 2024/4/1, 2024.4.1, 2024年4月1日, 20240401, 令和6年4月1日, 令和元年5月1日,
    R6.4.1, r06/04/01, Ｒ６．４．１, H31.4.30, S64.1.7 …; spaces, a weekday and a time after the date are ignored.

    Errors: invalid_date (not a date), impossible_date (2月30日, 13月), era_year_out_of_range
    (平成32年, 令和0年, 令和元年4月30日, 昭和64年1月8日: outside the era's first and last day).
    """
    raw, text = cells(s)
    text = half_width(raw, text).str.upper().str.replace(_TRAILER, "", regex=True)
    text = text.str.replace(" ", "", regex=False)
    shaped = text.str.fullmatch(_DATE).to_numpy(dtype=bool)
    iso = np.full(len(raw), "", dtype=object)
    impossible = np.zeros(len(raw), dtype=bool)
    out_of_era = np.zeros(len(raw), dtype=bool)
    if shaped.any():
        dates = text[shaped].str.replace("元", "1", regex=False).to_numpy(dtype=object)
        iso[shaped], impossible[shaped], out_of_era[shaped] = _read(codepoints(dates))
    errors = [
        ("invalid_date", ~shaped & (raw != "")),
        ("impossible_date", impossible),
        ("era_year_out_of_range", out_of_era),
    ]
    return build(raw, s.index, iso, errors)


def western_year(era: str, number: str) -> int:
    """The 西暦 year of an era year as a title or sheet name writes it: 令和 6 → 2024, R 元 → 2019, h 31 → 2019."""
    return _FIRST_YEARS[era.upper()] + (1 if number == "元" else int(number)) - 1


def era_span(era: str) -> tuple[date, date]:
    """The first and last day of an era by name or letter: 平成 → (1989-01-08, 2019-04-30); the current era ends at date.max."""
    for (name, letter, first), last in zip(ERAS, _LAST_DAYS, strict=True):
        if era.upper() in (name, letter):
            return first, last
    raise ValueError(f"not a Japanese era: {era!r}")


def date_error_params(raw: str) -> dict[str, str]:
    """The facts for an era_year_out_of_range message: {"era": "平成", "first": "1989-01-08", "last": "2019-04-30"}."""
    head = fold_ascii_width(pd.Series([raw], dtype=object)).iloc[0].replace(" ", "").upper()
    for (name, letter, first), last in zip(ERAS, _LAST_DAYS, strict=True):
        if head.startswith((name, letter)):
            return {"era": name, "first": first.isoformat(), "last": "現在" if last == date.max else last.isoformat()}
    raise ValueError(f"not a Japanese-era date: {raw!r}")


def _read(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ISO strings, impossible-date and out-of-era flags for dates whose shape has been checked."""
    era = np.full(len(matrix), -1)
    for i, (name, letter, _) in enumerate(ERAS):
        era[(matrix[:, 0] == ord(name[0])) | (matrix[:, 0] == ord(letter))] = i
    first, month, day = digit_groups(matrix, 3)
    compact = (era < 0) & (matrix[:, 4] >= ord("0")) & (matrix[:, 4] <= ord("9"))  # 20240401
    month = np.where(compact, first // 100 % 100, month)
    day = np.where(compact, first % 100, day)
    year = np.where(compact, first // 10000, np.where(era < 0, first, _FIRST_YEAR[era] + first - 1))
    leap = (year % 4 == 0) & (year % 100 != 0) | (year % 400 == 0)
    days = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    impossible = (year < 1) | (month < 1) | (month > 12) | (day < 1) | (day > days)
    stamp = year * 10000 + month * 100 + day
    outside = (first == 0) | (stamp < _FIRST_DAY[era]) | (stamp > _LAST_DAY[era])
    out_of_era = (era >= 0) & ~impossible & outside
    iso = joined(zero_padded(year, 4), "-", zero_padded(month, 2), "-", zero_padded(day, 2))
    return iso, impossible, out_of_era
