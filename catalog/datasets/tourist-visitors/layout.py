"""The statistics office's workbook: one sheet per fiscal year, 市町 down, months 4月…3月 across.

Turned into long rows (年月, 全国地方公共団体コード, 市町名, 地域, 入込客数). Totals rows
(合計/県計) and the 合計 column are not data: they are checked against the sum of
the values, and a mismatch is a warning.
"""

import re
import unicodedata

import pandas as pd

from transforms.contracts import SourceContract
from transforms.findings import Finding, error
from transforms.japanese.dates import western_year
from transforms.japanese.numbers import parse_integers
from transforms.layouts import Layout, findings_naming_sheet, municipality_codes, total_mismatch
from transforms.readers import ReadResult, SheetTable, header_key
from transforms.reference import Municipalities

NAME_COLUMN = "市町名"
VALUE_COLUMN = "入込客数"
FISCAL_MONTHS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
TOTAL_COLUMN_NAMES = {"合計", "計", "年度計", "年計"}
TOTAL_ROW_NAMES = {"合計", "計", "県計", "県合計", "三重県計", "総計", "三重県"}

_FISCAL_YEAR = re.compile(r"(令和|平成|R|H)\s*(\d{1,2}|元)\s*年度|(\d{4})\s*年度|FY\s*(\d{4})", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{1,2})月$")


def fiscal_year(texts: list[str]) -> int | None:
    """The fiscal year (April start) named in a sheet name or title: 令和6年度 → 2024."""
    for text in texts:
        match = _FISCAL_YEAR.search(unicodedata.normalize("NFKC", text))
        if not match:
            continue
        era, number, western, fy = match.groups()
        if era:
            return western_year(era, number)
        return int(western or fy)
    return None


def _sheet_columns(sheet: SheetTable) -> tuple[int | None, dict[int, int], int | None]:
    """Positions of 市町名, of each month (month → position) and of the 合計 column."""
    name_position, total_position, months = None, None, {}
    for position, cell in enumerate(sheet.header):
        key = header_key(cell)
        month = _MONTH.match(key)
        if key == NAME_COLUMN:
            name_position = position
        elif month and 1 <= int(month.group(1)) <= 12:
            months[int(month.group(1))] = position
        elif key in TOTAL_COLUMN_NAMES:
            total_position = position
    return name_position, months, total_position


def _numbers(cells: pd.Series) -> pd.Series:
    parsed = parse_integers(cells.astype(str).str.strip(), non_negative=False)
    return pd.to_numeric(parsed.values.where(parsed.errors.isna() & (parsed.values != "")), errors="coerce")


def _total_warnings(
    sheet: SheetTable, names: pd.Series, months: dict[int, int], total_position: int | None
) -> list[Finding]:
    warnings = []
    is_total_row = names.map(header_key).isin(TOTAL_ROW_NAMES)
    values = {month: _numbers(sheet.cells[position]) for month, position in months.items()}
    for row in names.index[is_total_row]:
        for month in FISCAL_MONTHS:
            if month not in values or pd.isna(values[month].loc[row]):
                continue
            computed = values[month][~is_total_row].sum()
            if values[month].loc[row] != computed:
                detail = f"{names.loc[row]}の{month}月"
                warnings.append(total_mismatch(int(row), VALUE_COLUMN, detail, values[month].loc[row], computed))
    if total_position is not None:
        stated = _numbers(sheet.cells[total_position])
        computed = pd.DataFrame(values).sum(axis=1, min_count=1)
        for row in stated.index[stated.notna() & computed.notna() & (stated != computed)]:
            detail = f"{names.loc[row]}の合計"
            warnings.append(total_mismatch(int(row), VALUE_COLUMN, detail, stated.loc[row], computed.loc[row]))
    return warnings


def _sheet_rows(
    sheet: SheetTable, sheet_index: int, municipalities: Municipalities
) -> tuple[list[Finding], list[pd.DataFrame]]:
    """One sheet's findings and its long rows, one frame per month present."""
    year = fiscal_year([sheet.name or "", *sheet.title_lines])
    name_position, months, total_position = _sheet_columns(sheet)
    if name_position is None:
        return [error("missing_required_column", column=NAME_COLUMN)], []
    if year is None:
        return [error("fiscal_year_not_found")], []
    names = sheet.cells[name_position].astype(str).str.strip()
    findings = _total_warnings(sheet, names, months, total_position)
    municipal = names[~names.map(header_key).isin(TOTAL_ROW_NAMES) & (names != "")]
    resolved, name_errors = municipality_codes(municipal, municipalities, NAME_COLUMN)
    findings += name_errors
    frames = []
    for order, month in enumerate(FISCAL_MONTHS):
        if month not in months:
            continue
        frame = pd.DataFrame(
            {
                "年月": f"{year + (month < 4)}-{month:02d}",
                "全国地方公共団体コード": resolved,
                NAME_COLUMN: municipalities.attribute(resolved, "name"),
                "地域": municipalities.attribute(resolved, "region"),
                VALUE_COLUMN: sheet.cells.loc[resolved.index, months[month]],
            },
            index=resolved.index,
        )
        # Submission order: sheet by sheet, row by row, April to March.
        frames.append(frame.assign(_order=(sheet_index * 10**8 + resolved.index.to_numpy()) * 12 + order))
    return findings, frames


def reshape(
    read: ReadResult, contract: SourceContract, municipalities: Municipalities
) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    frames: list[pd.DataFrame] = []
    for sheet_index, sheet in enumerate(read.sheets):
        sheet_findings, sheet_frames = _sheet_rows(sheet, sheet_index, municipalities)
        findings += findings_naming_sheet(read, sheet, sheet_findings)
        frames += sheet_frames
    if not frames:
        return pd.DataFrame(columns=contract.column_names, dtype=object), findings
    long = pd.concat(frames).sort_values("_order", kind="stable").drop(columns="_order")
    return long[contract.column_names], findings


LAYOUT = Layout(
    header_names=[NAME_COLUMN, *(f"{month}月" for month in FISCAL_MONTHS), "合計"],
    all_sheets=True,
    reshape=reshape,
)
