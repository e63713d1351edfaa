"""The road-bridge register as 県土整備部 keeps it: the contract's columns, written the register's way.

Read by header text like any table, then the register's own notations are normalised before the
column types check the rest:
- 管理番号 is the register's name for 橋梁ID, 市町名 for 所在地, and a unit after a name is dropped
  (橋長（m） is 橋長);
- 架設年度 and 最新点検年度 come as 和暦 (昭和45年度, S45, 平成元年度), 西暦 (1970, 1970年度) or 不明, and are
  kept as the 西暦 year (不明: empty); a bridge is not inspected before the year it was built;
- 判定区分 (健全性の判定区分) comes as Ⅰ–Ⅳ, 1–4, I–IV, ⅰ–ⅳ or Ⅱ（予防保全段階）, and is kept as Ⅰ/Ⅱ/Ⅲ/Ⅳ;
  anything else is left as typed for the choice check to report.
"""

import re
import unicodedata
from dataclasses import replace
from datetime import date

import pandas as pd

from transforms.contracts import SourceContract
from transforms.findings import Finding, error
from transforms.japanese import blank_markers_to_empty, date_error_params
from transforms.japanese.dates import ERAS, era_span, western_year
from transforms.layouts import Layout
from transforms.readers import ReadResult, header_key
from transforms.reference import Municipalities
from transforms.validate import contract_columns

BUILT, INSPECTED, GRADE = "架設年度", "最新点検年度", "判定区分"
YEAR_COLUMNS = (BUILT, INSPECTED)
HEADER_ALIASES = {"管理番号": "橋梁ID", "市町名": "所在地"}
HEADER_NAMES = [
    "橋梁ID", "管理番号", "橋梁名", "橋梁名_カナ", "路線名", "所在地", "市町名", "緯度", "経度",
    BUILT, "橋長", "橋長(m)", "幅員", "幅員(m)", INSPECTED, GRADE, "備考",
]  # fmt: skip
UNKNOWN_YEAR = {"不明", "不詳", "未詳"}
GRADES = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ")
# 道路橋定期点検要領: what each grade means, as registers sometimes write it after the grade or alone.
STAGES = ("健全", "予防保全段階", "早期措置段階", "緊急措置段階")

_UNIT = re.compile(r"\((m|メートル)\)$")
# An era by name, letter or first character (昭45), as registers abbreviate it.
_ERA_NAMES = {key: name for name, letter, _ in ERAS for key in (name, letter, name[0])}
_ERA_KEYS = "|".join(sorted(_ERA_NAMES, key=len, reverse=True))
_YEAR = re.compile(rf"(?:(?P<era>{_ERA_KEYS})\.?(?P<number>[0-9]{{1,2}}|元)|(?P<western>[12][0-9]{{3}}))(?:年度?)?")
_GRADE = re.compile(r"(?P<grade>IV|I{1,3}|[1-4])(?:\((?P<stage>.+)\))?")
_ROMAN = {"I": 0, "II": 1, "III": 2, "IV": 3, "1": 0, "2": 1, "3": 2, "4": 3}


def _header_name(cell: str) -> str:
    """The contract's name for a register's header cell (管理番号 → 橋梁ID, 橋長（m） → 橋長), else the cell."""
    key = _UNIT.sub("", header_key(cell))
    name = HEADER_ALIASES.get(key, key)
    return name if name in HEADER_NAMES else cell


def fiscal_year(text: str) -> tuple[str, str | None, dict[str, str]]:
    """(西暦 year or "", error code or None, message facts) for one 年度 as typed: 昭和45年度 → "1970".

    An era year counts when its fiscal year (April to March) meets the era: 令和元年度 and 平成31年度 are both
    2019, 昭和64年度 (April 1989, after 昭和 ended) and 平成32年度 are out of range.
    """
    # NFKC folds full-width digits and letters, and the one-character eras: ㍼45 is 昭和45.
    folded = "".join(unicodedata.normalize("NFKC", text).upper().split())
    if folded == "" or folded in UNKNOWN_YEAR:
        return "", None, {}
    match = _YEAR.fullmatch(folded)
    if not match:
        return "", "invalid_fiscal_year", {}
    if match["western"]:
        return match["western"], None, {}
    era = _ERA_NAMES[match["era"]]
    year = western_year(era, match["number"])
    first, last = era_span(era)
    if date(year, 4, 1) > last or date(year + 1, 3, 31) < first:
        return "", "era_year_out_of_range", date_error_params(era)
    return str(year), None, {}


def soundness_grade(text: str) -> str | None:
    """Ⅰ/Ⅱ/Ⅲ/Ⅳ for a grade as typed (2, II, ⅱ, Ｉ, Ⅱ（予防保全段階）, 早期措置段階); None when it is not one."""
    # NFKC is right here, unlike in free text: it turns Ⅱ, ⅱ and Ｉ into II, ii and I.
    key = "".join(unicodedata.normalize("NFKC", text).split()).upper()
    if key in STAGES:
        return GRADES[STAGES.index(key)]
    match = _GRADE.fullmatch(key)
    if not match:
        return None
    grade = _ROMAN[match["grade"]]
    if match["stage"] is not None and match["stage"] != STAGES[grade]:
        return None
    return GRADES[grade]


def _years(table: pd.DataFrame) -> tuple[dict[str, pd.Series], list[Finding]]:
    """Each year column as 西暦 years ("" when empty, unknown or unreadable) and a finding per unreadable cell."""
    years, findings = {}, []
    for column in YEAR_COLUMNS:
        submitted = blank_markers_to_empty(table[column].astype(str).str.strip())
        parsed = {text: fiscal_year(text) for text in submitted.unique()}
        years[column] = submitted.map({text: year for text, (year, _, _) in parsed.items()})
        for text, (_, code, facts) in parsed.items():
            if code is None:
                continue
            findings += [
                error(code, row=int(row), column=column, value=text, **facts)
                for row in submitted.index[submitted == text]
            ]
    return years, findings


def _inspected_before_built(table: pd.DataFrame, years: dict[str, pd.Series]) -> list[Finding]:
    built = pd.to_numeric(years[BUILT].where(years[BUILT] != ""), errors="coerce")
    inspected = pd.to_numeric(years[INSPECTED].where(years[INSPECTED] != ""), errors="coerce")
    return [
        error(
            "inspection_before_construction",
            row=int(row),
            column=INSPECTED,
            value=str(table.at[row, INSPECTED]).strip(),
            year=int(inspected[row]),
            other=BUILT,
            other_value=str(table.at[row, BUILT]).strip(),
            other_year=int(built[row]),
        )
        for row in table.index[inspected < built]
    ]


def reshape(
    read: ReadResult, contract: SourceContract, municipalities: Municipalities
) -> tuple[pd.DataFrame, list[Finding]]:
    sheet = read.sheets[0]
    table, findings = contract_columns(replace(sheet, header=[_header_name(cell) for cell in sheet.header]), contract)
    years, year_findings = _years(table)
    findings += year_findings + _inspected_before_built(table, years)
    grades = table[GRADE].astype(str).str.strip()
    readable = {text: soundness_grade(text) for text in grades.unique()}
    # An unreadable year is reported above and left empty; an unreadable grade is left as typed (invalid_choice).
    table = table.assign(**years, **{GRADE: grades.map(lambda text: readable[text] or text)})
    return table[contract.column_names], findings


LAYOUT = Layout(header_names=HEADER_NAMES, all_sheets=False, reshape=reshape)
