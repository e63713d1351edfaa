"""Excel workbooks (.xlsx via openpyxl, .xls via xlrd) as sheets of string rows, then tables."""

import contextlib
import datetime as dt
import io
import re
import zipfile
from collections import deque
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.worksheet._reader as openpyxl_sheet_reader
import xlrd
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from transforms.findings import Finding, UnreadableFile, error, megabytes, warning
from transforms.readers.cellvalues import cell_text, clock_text, datetime_text, number_text
from transforms.readers.header import HEADER_SEARCH_ROWS, find_header, header_not_found, required_matches
from transforms.readers.limits import CONTROL_CHARACTERS, Budget, cell_findings
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


# Serial numbers of 9999-12-31 and of the 1900-02-29 that Excel (like Lotus 1-2-3) pretends existed.
_LAST_SERIAL = 2958465
_FICTITIOUS_LEAP_DAY = 60
_MIB = 1 << 20


class OutOfRangeSerial(float):
    """A date cell whose serial number is no real date: openpyxl would show -1 as 1899-12-29, 60 as 1900-02-28."""

    @property
    def reason(self) -> str:
        if self < 0:
            return "負の数である"
        if self > _LAST_SERIAL:
            return "9999年12月31日より後である"
        return "存在しない1900年2月29日を指す"


_serials_out_of_range = [0]  # how many openpyxl has met, so a row is searched only when it holds one


def _from_excel_checked(value: float, epoch: dt.datetime = WINDOWS_EPOCH, timedelta: bool = False) -> object:
    """openpyxl's from_excel, but out-of-range dates come back as OutOfRangeSerial instead of a wrong date."""
    if not timedelta and (
        value < 0 or value >= _LAST_SERIAL + 1 or (epoch == WINDOWS_EPOCH and 60 <= value < _FICTITIOUS_LEAP_DAY + 1)
    ):
        _serials_out_of_range[0] += 1
        return OutOfRangeSerial(value)
    return from_excel(value, epoch, timedelta)


# openpyxl has no option for this; its sheet parser looks the function up in its module on every cell.
openpyxl_sheet_reader.from_excel = _from_excel_checked


class _OutOfRangeText(str):
    """An .xls date cell's text (its serial number) that xlrd could not make a date of."""

    serial: OutOfRangeSerial

    def __new__(cls, text: str, serial: float) -> "_OutOfRangeText":
        made = super().__new__(cls, text)
        made.serial = OutOfRangeSerial(serial)
        return made


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
    suspect: bool = False  # some cell holds a control character or is longer than the bound
    serials: list[tuple[int, int, OutOfRangeSerial]] = field(default_factory=list)  # (row, 0-based col, serial)


def read_excel(path: Path, fmt: str, header_names: Sequence[str], budget: Budget, *, all_sheets: bool) -> ReadResult:
    """The first visible sheet holding a table, or every one with all_sheets (tourist-visitors: one per year)."""
    tables: list[SheetTable] = []
    warnings: list[Finding] = []
    errors: list[Finding] = []
    examined: list[RawSheet] = []
    sheets = _xlsx_sheets(path, budget) if fmt == "xlsx" else _xls_sheets(path, budget)
    with contextlib.closing(sheets):
        for sheet in sheets:
            table, cell_errors = _sheet_table(sheet, header_names, budget)
            examined.append(sheet)
            if table is None:
                # Empty sheets (Excel's default Sheet2, Sheet3) are not worth a warning.
                if any(any(row) for row in sheet.rows):
                    warnings.append(warning("ignored_sheet", sheet=sheet.name))
                continue
            tables.append(table)
            warnings.extend(table.warnings)
            errors.extend(finding.in_sheet(sheet.name if all_sheets else None) for finding in cell_errors)
            if not all_sheets:
                break
    if not tables:
        raise _no_table(examined, header_names)
    return ReadResult(format=fmt, encoding=None, sheets=tables, warnings=warnings, errors=errors)


def _sheet_table(
    sheet: RawSheet, header_names: Sequence[str], budget: Budget
) -> tuple[SheetTable | None, list[Finding]]:
    """The sheet's table, if it has one, and the errors found in its cells (control characters, dates)."""
    match = find_header(_filled_head(sheet), header_names)
    if match is None:
        return None, []
    start = match.row + match.depth
    data = frame(sheet.rows[start:], range(start + 1, len(sheet.rows) + 1))
    table = build_table(sheet.name, sheet.rows[: match.row], match, match.row + 1, data, header_names)
    errors = [
        error(
            "excel_date_out_of_range",
            row=row,
            column=_column_name(match.names, col),
            value=number_text(serial),
            reason=serial.reason,
        )
        for row, col, serial in sheet.serials[: budget.limits.findings_per_code]
        if row > start
    ]
    if sheet.suspect:
        errors += cell_findings(table.cells, table.header, budget.limits, controls=True)
    return table, errors


def _column_name(names: Sequence[str], col: int) -> str:
    return (names[col] if col < len(names) else "") or f"{col + 1}列目"


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


def _xlsx_sheets(path: Path, budget: Budget) -> Generator[RawSheet]:
    # A file handle, not the path: openpyxl refuses names not ending in .xlsx, and we trust the bytes.
    with path.open("rb") as handle, zipfile.ZipFile(path) as archive:
        _check_parts(archive, budget)
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl reports damaged parts with KeyError, ValueError, XML errors …
            raise _broken() from exc
        try:
            for ws in book.worksheets:
                if ws.sheet_state != "visible":
                    continue
                try:
                    sheet = _xlsx_sheet(archive, ws, budget)
                except UnreadableFile:
                    raise
                except Exception as exc:  # damaged sheet XML
                    raise _broken() from exc
                yield sheet
        finally:
            book.close()


def _xlsx_sheet(archive: zipfile.ZipFile, ws: Any, budget: Budget) -> RawSheet:
    """One worksheet's rows as text, read only as far as its last cell holding a value."""
    member = ws._worksheet_path
    last = _last_valued_row(archive, member)
    # Some writers store a wrong <dimension>; read every row the XML holds up to the last value.
    ws.reset_dimensions()
    # Formatted-but-empty cells (<c r="XFD9" s="3"/>) hold nothing: dropped before openpyxl parses them.
    ws._get_source = lambda: _EmptyCellsDropped(archive.open(member))
    sheet = RawSheet(ws.title, [], _xlsx_merges(archive, member))
    if last == 0:
        return sheet
    cells = 0
    seen = _serials_out_of_range[0]
    for number, values in enumerate(ws.iter_rows(max_row=last, values_only=True), 1):
        row = [cell_text(value) for value in values]
        while row and not row[-1]:
            row.pop()
        if _serials_out_of_range[0] != seen:
            seen = _serials_out_of_range[0]
            sheet.serials += [(number, col, v) for col, v in enumerate(values) if isinstance(v, OutOfRangeSerial)]
        if row and not sheet.suspect:
            joined = "".join(row)
            sheet.suspect = len(joined) > budget.limits.cell_chars or bool(CONTROL_CHARACTERS.search(joined))
        sheet.rows.append(row)
        cells += len(row)
        if number % 1000 == 0:
            budget.check_time()
            budget.check_cells(cells)
            budget.check_columns(max(map(len, sheet.rows[-1000:])))
    budget.check_cells(cells)
    budget.check_columns(max(map(len, sheet.rows), default=0))
    return sheet


def _check_parts(archive: zipfile.ZipFile, budget: Budget) -> None:
    """Refuse a zip bomb from its directory, before anything is decompressed."""
    limits = budget.limits
    parts = archive.infolist()
    for part in parts:
        streamed = part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")
        limit = limits.xlsx_sheet_bytes if streamed else limits.xlsx_part_bytes
        if part.filename == "xl/styles.xml":
            limit = limits.xlsx_styles_bytes
        if part.file_size > limit:
            raise UnreadableFile(
                error("xlsx_part_too_large", part=part.filename, size=megabytes(part.file_size), limit=megabytes(limit))
            )
        ratio = part.file_size // max(part.compress_size, 1)
        if part.file_size > _MIB and ratio > limits.xlsx_ratio:
            raise UnreadableFile(
                error("xlsx_compression_ratio", part=part.filename, ratio=ratio, limit=limits.xlsx_ratio)
            )
    total = sum(part.file_size for part in parts)
    if total > limits.xlsx_unpacked_bytes:
        raise UnreadableFile(
            error("xlsx_too_large", size=megabytes(total), limit=megabytes(limits.xlsx_unpacked_bytes))
        )


# A cell element with no content at all (formatting only), and what says a cell holds a value.
_EMPTY_CELL = re.compile(rb"<(?:\w+:)?c(?=[\s/])[^<>]*/>")
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)[\s>]")
_ROW_START = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')


class _EmptyCellsDropped(io.RawIOBase):
    """A worksheet XML stream without its empty cell elements: a row styled out to XFD costs nothing to parse."""

    def __init__(self, source: io.BufferedIOBase | Any):
        self._source = source
        self._pending = b""
        self._carry = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._source.read(_CHUNK)
            if not chunk:
                self._pending, self._carry = self._carry, b""
                break
            text = self._carry + chunk
            cut = text.rfind(b">") + 1  # never split a tag
            self._pending, self._carry = _EMPTY_CELL.sub(b"", text[:cut]), text[cut:]
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._source.close()
        super().close()


def _last_valued_row(archive: zipfile.ZipFile, member: str) -> int | None:
    """The number of the last row holding a value (0: none), by scanning the XML; None when rows are unnumbered.

    Workbooks often carry a million formatted empty rows below the table; reading stops at this row.
    """
    last = 0
    current: int | None = 0  # the row the scan is in at the end of what was scanned so far
    carry = b""
    with archive.open(member) as source:
        while chunk := source.read(_CHUNK):
            text = carry + chunk
            cut = text.rfind(b">") + 1  # never split a tag
            text, carry = text[:cut], text[cut:]
            value = _last_match(_VALUE, text, len(text))
            if value is not None:
                row = _last_match(_ROW_START, text, value.start())
                number = _row_number(row) if row else current
                if number is None:
                    return None
                last = max(last, number)
            row = _last_match(_ROW_START, text, len(text))
            if row is not None:
                current = _row_number(row)
    return last


def _last_match(pattern: re.Pattern[bytes], text: bytes, end: int) -> re.Match[bytes] | None:
    return next(iter(deque(pattern.finditer(text, 0, end), maxlen=1)), None)


def _row_number(row: re.Match[bytes]) -> int | None:
    found = _ROW_NUMBER.search(row.group(1))
    return int(found.group(1)) if found else None


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


def _xls_sheets(path: Path, budget: Budget) -> Generator[RawSheet]:
    data = path.read_bytes()
    try:
        # formatting_info is what makes xlrd read merged ranges; logfile swallows its chatter.
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO())
    except Exception as exc:  # xlrd reports damage with XLRDError, CompDocError, AssertionError …
        raise _ole_problem(data, exc) from exc
    for sheet in book.sheets():
        if sheet.visibility != 0:
            continue
        budget.check_columns(sheet.ncols)
        budget.check_cells(sheet.nrows * sheet.ncols)
        raw = RawSheet(sheet.name, [], [Merge(*bounds) for bounds in sheet.merged_cells])
        for r in range(sheet.nrows):
            row = []
            for col, (ctype, value) in enumerate(zip(sheet.row_types(r), sheet.row_values(r), strict=True)):
                text = _xls_text(ctype, value, book.datemode)
                if isinstance(text, _OutOfRangeText):
                    raw.serials.append((r + 1, col, text.serial))
                row.append(text)
            if not raw.suspect:
                joined = "".join(row)
                raw.suspect = len(joined) > budget.limits.cell_chars or bool(CONTROL_CHARACTERS.search(joined))
            raw.rows.append(row)
        yield raw


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
            # Negative, the fictitious 1900-02-29, or past 9999: the number stays, with a finding.
            return _OutOfRangeText(number_text(float(value)), float(value))
        if (year, month, day) == (0, 0, 0):  # a time of day with no date
            return clock_text(hour, minute, second)
        return datetime_text(dt.datetime(year, month, day, hour, minute, second))
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if ctype == xlrd.XL_CELL_ERROR:
        return str(xlrd.error_text_from_code.get(value, "#ERROR"))
    return ""  # XL_CELL_EMPTY, XL_CELL_BLANK
