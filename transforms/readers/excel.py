"""Excel workbooks (.xlsx via openpyxl, .xls via xlrd) as sheets of string rows, then tables."""

import contextlib
import datetime as dt
import io
import re
import zipfile
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import xlrd
from openpyxl.utils import column_index_from_string

from transforms.findings import Finding, UnreadableFile, error, warning
from transforms.readers.cellvalues import cell_text, clock_text, datetime_text, number_text
from transforms.readers.header import HEADER_SEARCH_ROWS, find_header, header_not_found, required_matches
from transforms.readers.model import ReadResult, SheetTable
from transforms.readers.table import build_table, frame

# openpyxl in read-only mode does not expose merged ranges; they sit after <sheetData> in the sheet XML.
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_CHUNK = 1 << 20

# Stream names in an OLE2 directory (UTF-16LE) that tell what a non-Excel document is.
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_OLE_DOCUMENTS = (
    ("WordDocument".encode("utf-16-le"), "Word 文書（.doc）"),
    ("PowerPoint Document".encode("utf-16-le"), "PowerPoint（.ppt）"),
)


@dataclass(frozen=True)
class Merge:
    """A merged range, 0-based with exclusive ends (xlrd's convention)."""

    first_row: int
    end_row: int
    first_col: int
    end_col: int


@dataclass
class RawSheet:
    name: str
    rows: list[list[str]]  # rows[0] is spreadsheet row 1; merged values only in the top-left cell
    merges: list[Merge]


def read_excel(path: Path, fmt: str, header_names: Sequence[str], *, all_sheets: bool) -> ReadResult:
    """The first visible sheet holding a table, or every one with all_sheets (tourist-visitors: one per year)."""
    tables: list[SheetTable] = []
    warnings: list[Finding] = []
    examined: list[RawSheet] = []
    sheets = _xlsx_sheets(path) if fmt == "xlsx" else _xls_sheets(path)
    with contextlib.closing(sheets):
        for sheet in sheets:
            table = _sheet_table(sheet, header_names)
            examined.append(sheet)
            if table is None:
                # Empty sheets (Excel's default Sheet2, Sheet3) are not worth a warning.
                if any(any(row) for row in sheet.rows):
                    warnings.append(warning("ignored_sheet", sheet=sheet.name))
                continue
            tables.append(table)
            warnings.extend(table.warnings)
            if not all_sheets:
                break
    if not tables:
        raise _no_table(examined, header_names)
    return ReadResult(format=fmt, encoding=None, sheets=tables, warnings=warnings, errors=[])


def _sheet_table(sheet: RawSheet, header_names: Sequence[str]) -> SheetTable | None:
    match = find_header(_filled_head(sheet), header_names)
    if match is None:
        return None
    start = match.row + match.depth
    data = frame(sheet.rows[start:], range(start + 1, len(sheet.rows) + 1))
    return build_table(sheet.name, sheet.rows[: match.row], match, match.row + 1, data, header_names)


def _filled_head(sheet: RawSheet) -> list[list[str]]:
    """The rows searched for a header, with each merged range's value in all of its cells.

    So a 市町名 merged down rows 3–4 is seen in both rows of a two-row header, and a
    令和6年度 merged across B:M stands over every month.
    """
    head = [list(row) for row in sheet.rows[: HEADER_SEARCH_ROWS + 1]]
    width = max((len(row) for row in head), default=0)
    for merge in sheet.merges:
        if merge.first_row >= len(head) or merge.first_col >= len(head[merge.first_row]):
            continue
        value = head[merge.first_row][merge.first_col]
        for row in head[merge.first_row : merge.end_row]:
            end = min(merge.end_col, width)
            row.extend([""] * (end - len(row)))
            row[merge.first_col : end] = [value] * (end - merge.first_col)
    return head


def _no_table(sheets: list[RawSheet], header_names: Sequence[str]) -> UnreadableFile:
    if not sheets:
        return _broken("表示されているシートがありません")
    if not any(any(row) for sheet in sheets for row in sheet.rows):
        return UnreadableFile(error("file_empty"))
    heads = [sheet.rows[:HEADER_SEARCH_ROWS] for sheet in sheets]
    widest = max((sum(1 for cell in row if cell.strip()) for head in heads for row in head), default=0)
    if widest < required_matches(header_names):
        return UnreadableFile(error("not_a_table", detail="どのシートにも列が2つ以上ある表がありません"))
    return header_not_found(header_names, searched=max(len(head) for head in heads))


def _broken(detail: str = "Excel ファイルが壊れているか、開けない形式です") -> UnreadableFile:
    return UnreadableFile(error("not_a_table", detail=detail))


def _xlsx_sheets(path: Path) -> Generator[RawSheet]:
    # A file handle, not the path: openpyxl refuses names not ending in .xlsx, and we trust the bytes.
    with path.open("rb") as handle, zipfile.ZipFile(path) as archive:
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl reports damaged parts with KeyError, ValueError, XML errors …
            raise _broken() from exc
        try:
            for ws in book.worksheets:
                if ws.sheet_state != "visible":
                    continue
                # Some writers store a wrong <dimension>; read every row the XML holds.
                ws.reset_dimensions()
                try:
                    rows = [[cell_text(value) for value in row] for row in ws.iter_rows(values_only=True)]
                    merges = _xlsx_merges(archive, ws._worksheet_path)
                except Exception as exc:  # damaged sheet XML
                    raise _broken() from exc
                yield RawSheet(ws.title, rows, merges)
        finally:
            book.close()


def _xlsx_merges(archive: zipfile.ZipFile, member: str) -> list[Merge]:
    """Merged ranges from the sheet XML, scanned in chunks (a big sheet's XML is not held in memory)."""
    merges = []
    carry = b""
    with archive.open(member) as source:
        while chunk := source.read(_CHUNK):
            buffer = carry + chunk
            end = 0
            for found in _MERGE_REF.finditer(buffer):
                first_col, first_row, last_col, last_row = (part.decode() for part in found.groups())
                merges.append(
                    Merge(
                        int(first_row) - 1,
                        int(last_row),
                        column_index_from_string(first_col) - 1,
                        column_index_from_string(last_col),
                    )
                )
                end = found.end()
            # Keep the tail: an element may straddle two chunks.
            carry = buffer[max(end, len(buffer) - 1024) :]
    return merges


def _xls_sheets(path: Path) -> Generator[RawSheet]:
    data = path.read_bytes()
    try:
        # formatting_info is what makes xlrd read merged ranges; logfile swallows its chatter.
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO())
    except Exception as exc:  # xlrd reports damage with XLRDError, CompDocError, AssertionError …
        raise _ole_problem(data, exc) from exc
    for sheet in book.sheets():
        if sheet.visibility != 0:
            continue
        rows = [
            [
                _xls_text(ctype, value, book.datemode)
                for ctype, value in zip(sheet.row_types(r), sheet.row_values(r), strict=True)
            ]
            for r in range(sheet.nrows)
        ]
        merges = [Merge(*bounds) for bounds in sheet.merged_cells]
        yield RawSheet(sheet.name, rows, merges)


def _ole_problem(data: bytes, exc: Exception) -> UnreadableFile:
    """An OLE2 file xlrd cannot open: a password, another Office document, or damage."""
    if _ENCRYPTED in data or "encrypted" in str(exc).lower():
        return _broken("パスワードで保護されています。保護を解除して保存し直してください")
    for marker, label in _OLE_DOCUMENTS:
        if marker in data:
            return UnreadableFile(error("unsupported_format", detail=label))
    return _broken()


def _xls_text(ctype: int, value: Any, datemode: int) -> str:
    if ctype == xlrd.XL_CELL_TEXT:
        return str(value)
    if ctype == xlrd.XL_CELL_NUMBER:
        return number_text(float(value))
    if ctype == xlrd.XL_CELL_DATE:
        try:
            year, month, day, hour, minute, second = xlrd.xldate_as_tuple(value, datemode)
        except xlrd.xldate.XLDateError:
            return number_text(float(value))
        if (year, month, day) == (0, 0, 0):  # a time of day with no date
            return clock_text(hour, minute, second)
        return datetime_text(dt.datetime(year, month, day, hour, minute, second))
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if ctype == xlrd.XL_CELL_ERROR:
        return str(xlrd.error_text_from_code.get(value, "#ERROR"))
    return ""  # XL_CELL_EMPTY, XL_CELL_BLANK
