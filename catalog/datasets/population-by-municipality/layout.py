"""The statistics office's 月別推計人口 workbook: one sheet per month, 市町 down, 世帯数 and 人口 (総数・男・女) across.

The month (the estimate is for its 1st day) comes from a 年月 or 基準日 column when the sheet has
one, else from the sheet name or title (R6.10, 令和6年10月1日現在, 2024年10月). Rows become
(年月, 全国地方公共団体コード, 市町名, 地域, 世帯数, 人口総数, 男, 女). Totals rows (県計, 市部計,
郡部計 …) are not data: each is checked against the sum of the 市町 it totals, and a mismatch is a
warning. A 市町 whose 男 and 女 do not add up to its 人口総数 is an error on that row: one of the
three was mistyped.
"""

import re
import unicodedata

import pandas as pd

from transforms.contracts import SourceContract
from transforms.findings import Finding, error, warning
from transforms.japanese.dates import western_year
from transforms.japanese.numbers import parse_integers
from transforms.japanese.width import blank_markers_to_empty
from transforms.layouts import Layout, findings_naming_sheet, municipality_codes, total_mismatch
from transforms.readers import ReadResult, SheetTable, header_key
from transforms.reference import Municipalities

NAME_COLUMN = "市町名"
MONTH_COLUMN = "年月"
TOTAL_COLUMN = "人口総数"
# Contract column → the header texts naming it. 総数 is what a two-row header (人口 over 総数・男・女) leaves.
COUNT_COLUMNS = {
    "世帯数": ("世帯数", "世帯"),
    "人口総数": ("人口総数", "総数", "人口計"),
    "男": ("男", "男性"),
    "女": ("女", "女性"),
}
MONTH_HEADERS = ("年月", "基準日", "基準年月", "調査年月")
# Totals rows and the 市町 each one sums: every one (None) or those of one 種別 in the reference.
TOTAL_ROWS: dict[str, str | None] = {
    **dict.fromkeys(("県計", "三重県", "三重県計", "県合計", "合計", "総数", "総計", "計")),
    **dict.fromkeys(("市部計", "市計", "市部"), "市"),
    **dict.fromkeys(("郡部計", "町部計", "町計", "郡部", "町村計"), "町"),
}

_MONTH = re.compile(
    r"(令和|平成|R|H)\s*(\d{1,2}|元)\s*[年.]\s*(\d{1,2})(?!\d)|(\d{4})\s*[年./-]\s*(\d{1,2})(?!\d)", re.IGNORECASE
)
_ALIASES = {header_key(alias): column for column, names in COUNT_COLUMNS.items() for alias in names} | {
    NAME_COLUMN: NAME_COLUMN
}
_MONTH_KEYS = set(map(header_key, MONTH_HEADERS))


def month_named(text: str) -> str | None:
    """The year-month a sheet name, title or cell names: R6.10, 令和6年10月1日現在, 2024年10月, 2024-10-01 → YYYY-MM."""
    for match in _MONTH.finditer(unicodedata.normalize("NFKC", text)):
        era, number, era_month, western, western_month = match.groups()
        year = western_year(era, number) if era else int(western)
        month = int(era_month or western_month)
        if 1 <= month <= 12:
            return f"{year}-{month:02d}"
    return None


def _header_columns(sheet: SheetTable) -> tuple[dict[str, list[int]], int | None, list[str]]:
    """Positions of 市町名 and each count column, of the month column, and the header texts that name neither."""
    positions: dict[str, list[int]] = {}
    month_position, unknown = None, []
    for position, cell in enumerate(sheet.header):
        key = header_key(cell)
        if key in _ALIASES:
            positions.setdefault(_ALIASES[key], []).append(position)
        elif key in _MONTH_KEYS and month_position is None:
            month_position = position
        elif key:
            unknown.append(cell.strip())
    return positions, month_position, unknown


def _numbers(cells: pd.Series) -> pd.Series:
    """Integers as floats; NaN where a cell is empty or not an integer (the contract check names those)."""
    parsed = parse_integers(blank_markers_to_empty(cells.astype(str).str.strip()), non_negative=False)
    return pd.to_numeric(parsed.values.where(parsed.errors.isna() & (parsed.values != "")), errors="coerce")


def _total_warnings(totals: pd.Series, kinds: pd.Series, counts: dict[str, pd.Series]) -> list[Finding]:
    """Each totals row (its name in totals) against the sum of its 市町 (their 種別 in kinds), column by column,
    where every one of those 市町 has a number."""
    warnings = []
    for row, name in totals.map(header_key).items():
        kind = TOTAL_ROWS[name]
        members = kinds.index if kind is None else kinds.index[kinds == kind]
        for column, values in counts.items():
            stated, parts = values.loc[row], values.loc[members]
            if pd.isna(stated) or parts.empty or parts.isna().any() or stated == parts.sum():
                continue
            warnings.append(total_mismatch(int(row), column, f"{name}の{column}", stated, parts.sum()))
    return warnings


def _sex_errors(names: pd.Series, counts: dict[str, pd.Series]) -> list[Finding]:
    """男 + 女 = 人口総数 on every 市町 row (names: their 市町名) whose three values are numbers."""
    total, male, female = (counts[column].loc[names.index] for column in (TOTAL_COLUMN, "男", "女"))
    wrong = total.notna() & male.notna() & female.notna() & (male + female != total)
    return [
        error(
            "total_mismatch",
            row=int(row),
            column=TOTAL_COLUMN,
            detail=f"{names.loc[row]}の人口総数（男＋女）",
            stated=int(total.loc[row]),
            computed=int(male.loc[row] + female.loc[row]),
        )
        for row in names.index[wrong]
    ]


def _months(sheet: SheetTable, month_position: int | None) -> pd.Series | None:
    """Each row's YYYY-MM: from the month column (a cell not read as a month is left as typed, for the
    contract check to name), else from the sheet name or title; None when neither says it."""
    named = next(filter(None, map(month_named, [sheet.name or "", *sheet.title_lines])), None)
    if month_position is None:
        return None if named is None else pd.Series(named, index=sheet.cells.index, dtype=object)
    cells = sheet.cells[month_position].astype(str).str.strip()
    read = cells.map({text: month_named(text) or text for text in cells.unique()})
    return read.where(cells != "", named or "").astype(object)


def _sheet_rows(
    sheet: SheetTable, municipalities: Municipalities
) -> tuple[list[Finding], pd.DataFrame | None, list[str]]:
    """One sheet's findings, its 市町 rows under the contract's columns, and its header texts not taken."""
    positions, month_position, unknown = _header_columns(sheet)
    findings = [
        error("duplicate_column", column=column, count=len(found))
        for column, found in positions.items()
        if len(found) > 1
    ]
    findings += [
        error("missing_required_column", column=column)
        for column in (NAME_COLUMN, *COUNT_COLUMNS)
        if column not in positions
    ]
    months = _months(sheet, month_position)
    if months is None:
        findings.append(error("missing_required_column", column=MONTH_COLUMN))
    if findings or months is None:
        return findings, None, unknown
    names = sheet.cells[positions[NAME_COLUMN][0]].astype(str).str.strip()
    counts = {column: _numbers(sheet.cells[positions[column][0]]) for column in COUNT_COLUMNS}
    is_total = names.map(header_key).isin(list(TOTAL_ROWS))
    valued = sheet.cells[[positions[column][0] for column in COUNT_COLUMNS]].apply(
        lambda cells: cells.str.strip() != ""
    )
    nameless = (names == "") & valued.any(axis=1)
    findings += [error("required_value_missing", row=int(row), column=NAME_COLUMN) for row in names.index[nameless]]
    municipal = names[~is_total & (names != "")]
    resolved, name_errors = municipality_codes(municipal, municipalities, NAME_COLUMN)
    findings += name_errors
    # With a 市町 unknown or repeated, the sums say nothing the errors do not already say.
    if not name_errors and not resolved.duplicated().any():
        findings += _total_warnings(names[is_total], municipalities.attribute(resolved, "kind"), counts)
    findings += _sex_errors(municipalities.attribute(resolved, "name"), counts)
    frame = pd.DataFrame(
        {
            MONTH_COLUMN: months.loc[resolved.index],
            "全国地方公共団体コード": resolved,
            NAME_COLUMN: municipalities.attribute(resolved, "name"),
            "地域": municipalities.attribute(resolved, "region"),
            **{column: sheet.cells.loc[resolved.index, positions[column][0]] for column in COUNT_COLUMNS},
        },
        index=resolved.index,
    )
    return findings, frame, unknown


def reshape(
    read: ReadResult, contract: SourceContract, municipalities: Municipalities
) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    frames: list[pd.DataFrame] = []
    ignored: list[str] = []
    for sheet in read.sheets:
        sheet_findings, frame, unknown = _sheet_rows(sheet, municipalities)
        findings += findings_naming_sheet(read, sheet, sheet_findings)
        ignored += [name for name in unknown if name not in ignored]
        if frame is not None:
            frames.append(frame)
    # Said once per file, not once per sheet: every month's sheet repeats the same columns.
    findings += [warning("ignored_unknown_column", column=name) for name in ignored]
    if not frames:
        return pd.DataFrame(columns=contract.column_names, dtype=object), findings
    return pd.concat(frames)[contract.column_names], findings


LAYOUT = Layout(
    header_names=[NAME_COLUMN, *(alias for names in COUNT_COLUMNS.values() for alias in names), *MONTH_HEADERS],
    all_sheets=True,
    reshape=reshape,
)
