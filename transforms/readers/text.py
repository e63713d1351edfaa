"""Delimited text (CSV, TSV, Excel's "Unicode text") as a table, keyed by the line each record starts on."""

import contextlib
import csv
import io
import re
import warnings
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from transforms.findings import Finding, UnreadableFile, error
from transforms.readers.detect import decode_text
from transforms.readers.header import HEADER_SEARCH_ROWS, HeaderMatch, find_header, header_not_found, required_matches
from transforms.readers.limits import CONTROL_CHARACTERS, Budget, cell_findings
from transforms.readers.model import ReadResult
from transforms.readers.table import build_table, frame

DELIMITERS = (",", "\t", ";")

# A physical line with its ending; \r alone counts as a line break, as in pandas and the csv module.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")

_NUL_STAND_IN = "\uffff"
_BLANK_TAIL = " \t,;\r\n"
_TAIL_STEP = 1 << 16

# Enough records to search for the header and see the first data row under a two-row header.
_HEAD_RECORDS = HEADER_SEARCH_ROWS + 2


@dataclass(frozen=True)
class _Record:
    line: int  # physical line the record starts on (1-based)
    fields: list[str]
    end: int  # offset in the text just after the record
    next_line: int  # physical line the next record starts on


def read_text(path: Path, header_names: Sequence[str], budget: Budget) -> ReadResult:
    """One table from a delimited text file: find encoding, delimiter and header, then parse the rest."""
    data = path.read_bytes()
    longest_line = _longest_line(data)  # in bytes: never fewer than the characters of any cell on it
    decoded = decode_text(data)
    del data
    encoding, damaged = decoded.encoding, decoded.damaged
    # Parsers cut a field at a NUL byte; parked as U+FFFF, it reaches the table and is reported there.
    # Blank lines after the table (Excel exports its formatted-but-unused rows as ",,,,") are never parsed.
    text = decoded.text.replace("\0", _NUL_STAND_IN)
    del decoded
    text = text[: _end_of_table(text)]
    if not text or text.isspace():
        raise UnreadableFile(error("file_empty"))
    suffix = path.suffix.lower()
    delimiter, head, match = _find_header(text, header_names, suffix)
    last_header = head[match.row + match.depth - 1]
    width = max(len(record.fields) for record in head[match.row :])
    budget.check_columns(width)
    budget.check_time()
    # Trailing unnamed columns (Excel exports its formatted-but-unused columns as ",,,,") are only counted.
    named = max((col + 1 for col, name in enumerate(match.names) if name), default=0)
    match = replace(match, names=match.names[:named])
    data, file_width = _parse_body(text, last_header.end, last_header.next_line, delimiter, width, named, budget)
    budget.check_time()
    errors = []
    if damaged:
        starts = [record.line for record in head[: match.row + match.depth]] + data.index.tolist()
        errors = _damaged_rows(text, starts)
    above = [record.fields for record in head[: match.row]]
    trailing = file_width - max(named, data.shape[1])
    table = build_table(None, above, match, head[match.row].line, data, header_names, trailing_empty=trailing)
    controls = CONTROL_CHARACTERS.search(text) is not None
    if controls or longest_line > budget.limits.cell_chars:
        cells = table.cells
        if controls:
            cells = cells.apply(lambda column: column.str.replace(_NUL_STAND_IN, "\0"))
        errors += cell_findings(cells, table.header, budget.limits, controls=controls)
        table.cells = cells
    fmt = "txt" if suffix == ".txt" else "tsv" if delimiter == "\t" else "csv"
    return ReadResult(format=fmt, encoding=encoding, sheets=[table], warnings=list(table.warnings), errors=errors)


def _longest_line(data: bytes) -> int:
    """Bytes in the longest line (between line breaks), counted without copying the file into Python objects."""
    codes = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero((codes == ord("\n")) | (codes == ord("\r")))
    edges = np.concatenate(([-1], breaks, [len(codes)]))
    return int(np.diff(edges).max()) - 1


def _end_of_table(text: str) -> int:
    """Where the text ends once trailing blank lines (spaces and delimiters only) are left out: after a line break."""
    end = len(text)
    while end:
        start = max(0, end - _TAIL_STEP)
        kept = len(text[start:end].rstrip(_BLANK_TAIL))
        if kept:
            value_end = start + kept
            breaks = [found for found in (text.find("\r", value_end), text.find("\n", value_end)) if found >= 0]
            if not breaks:
                return len(text)
            first = min(breaks)
            return first + (2 if text.startswith("\r\n", first) else 1)
        end = start
    return 0


def _records(text: str, delimiter: str, pos: int = 0, line: int = 1) -> Iterator[_Record]:
    """csv records from `pos` on, each with the physical line it starts on and the offset after it."""
    consumed = 0
    end = pos

    def lines() -> Iterator[str]:
        nonlocal consumed, end
        for found in _LINE.finditer(text, pos):
            consumed += 1
            end = found.end()
            yield found.group()

    reader = csv.reader(lines(), delimiter=delimiter)
    while True:
        before = consumed
        try:
            fields = next(reader)
        except StopIteration:
            return
        yield _Record(line + before, fields, end, line + consumed)


def _find_header(text: str, header_names: Sequence[str], suffix: str) -> tuple[str, list[_Record], HeaderMatch]:
    """The delimiter under which a header row names the most expected columns, that row, and the records read."""
    # On a tie the file's own kind decides: tab for .tsv and Excel's Unicode text (.txt).
    order = ("\t", ",", ";") if suffix in (".tsv", ".txt") else DELIMITERS
    best: tuple[str, list[_Record], HeaderMatch] | None = None
    heads = []
    for delimiter in order:
        head = _head(text, delimiter)
        heads.append(head)
        match = find_header([record.fields for record in head], header_names)
        if match is not None and (best is None or match.matched > best[2].matched):
            best = (delimiter, head, match)
    if best is not None:
        return best
    widest = max((sum(1 for cell in record.fields if cell.strip()) for head in heads for record in head), default=0)
    if widest < required_matches(header_names):
        raise UnreadableFile(error("not_a_table", detail="カンマ・タブ・セミコロンで区切られた列がありません"))
    raise header_not_found(header_names, searched=min(HEADER_SEARCH_ROWS, max(len(head) for head in heads)))


def _head(text: str, delimiter: str) -> list[_Record]:
    """The first records: enough to find the header and see the first data row under it."""
    head: list[_Record] = []
    # A runaway quoted field stops it: the records before may hold the header, and the body parse reports it.
    with contextlib.suppress(csv.Error):
        head.extend(islice(_records(text, delimiter), _HEAD_RECORDS))
    return head


def _parse_body(
    text: str, offset: int, first_line: int, delimiter: str, width: int, named: int, budget: Budget
) -> tuple[pd.DataFrame, int]:
    """Records after the header, each indexed by the physical line it starts on, and how many fields the widest has.

    Columns past the `named` first ones that are empty in every record may be left out of the frame.
    """
    # Encoded whole and read from the body's start, so the (large) body is never copied as a str.
    encoded = text.encode("utf-8")
    start = len(text[:offset].encode("utf-8"))
    if start == len(encoded):
        return frame([], []), width
    lines = _count_lines(encoded, start)
    # Before parsing: a record is at least one line, so lines × width bounds what the parse would hold.
    budget.check_cells(lines * width)
    data = _read_csv(encoded, start, delimiter, width, named)
    if data is None:
        # A row wider than those sampled: count the widest (cheap, nothing kept) and parse again.
        widest = _widest(text, offset, delimiter)
        budget.check_columns(widest)
        budget.check_cells(lines * widest)
        data = _read_csv(encoded, start, delimiter, widest, named) if widest > width else None
        width = max(width, widest)
    if data is None:
        # A quote left open: pandas gives up, the csv module reads to the end.
        slowly = _parse_body_slowly(text, offset, first_line, delimiter, budget)
        return slowly, max(width, slowly.shape[1])
    if lines == len(data):
        data.index = pd.RangeIndex(first_line, first_line + len(data))
        return data, width
    # Quoted fields hold line breaks: each record starts below the breaks inside the records before it.
    inner = sum(data[col].str.count(r"\r\n|\r|\n").to_numpy(dtype="int64") for col in data.columns)
    if len(data) + int(inner.sum()) != lines:
        slowly = _parse_body_slowly(text, offset, first_line, delimiter, budget)
        return slowly, max(width, slowly.shape[1])
    data.index = pd.Index(first_line + np.arange(len(data)) + np.cumsum(inner) - inner)
    return data, width


def _read_csv(encoded: bytes, start: int, delimiter: str, width: int, named: int) -> pd.DataFrame | None:
    """Records of exactly `width` fields by Arrow's parser (several times faster); any other file by pandas' C parser."""
    arrow = _read_csv_arrow(encoded, start, delimiter, width, named)
    return arrow if arrow is not None else _read_csv_pandas(encoded, start, delimiter, width)


# Arrow's CSV parser reads quotes, doubled quotes, line breaks inside quotes and \r line ends as pandas' C
# parser does. It differs where pandas would fail or pad, and there it reports an error or is not used:
# a row with fewer or more fields than `width` (pandas pads or fails: Arrow fails), a quote left open at
# the end (pandas fails: Arrow ends the field, so a sentinel row shows it), a NUL (pandas cuts the field).
_STRING = pd.StringDtype("pyarrow", na_value=np.nan)


def _read_csv_arrow(encoded: bytes, start: int, delimiter: str, width: int, named: int) -> pd.DataFrame | None:
    if encoded.find(b"\0", start) >= 0:
        return None
    names = [str(col) for col in range(width)]
    ends_line = encoded.endswith((b"\n", b"\r"))
    # An empty record after the body: still a record of `width` empty fields unless a quote was left open.
    sentinel = (b"" if ends_line else b"\n") + delimiter.encode() * (width - 1) + b"\n"
    try:
        table = pacsv.read_csv(
            io.BytesIO(encoded[start:] + sentinel),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    last = table.slice(table.num_rows - 1)
    if any(last.column(name)[0].as_py() != "" for name in names):
        return None
    body = table.slice(0, table.num_rows - 1)
    # Empty trailing columns are dropped here, in Arrow, where each costs microseconds instead of a pandas Series.
    used = width
    while used > named and not pc.max(pc.binary_length(body.column(used - 1))).as_py():
        used -= 1
    return pd.DataFrame(
        {col: pd.Series(body.column(name), dtype=_STRING) for col, name in enumerate(names[:used])},
        columns=pd.RangeIndex(used),
    )


def _read_csv_pandas(encoded: bytes, start: int, delimiter: str, width: int) -> pd.DataFrame | None:
    source = io.BytesIO(encoded)
    source.seek(start)
    try:
        with warnings.catch_warnings():
            # Fields past `names` in the first row are dropped with only a warning: never lose data silently.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                source,
                encoding="utf-8",
                sep=delimiter,
                engine="c",
                header=None,
                names=range(width),
                index_col=False,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning):
        return None


def _widest(text: str, offset: int, delimiter: str) -> int:
    try:
        return max(map(len, csv.reader((found.group() for found in _LINE.finditer(text, offset)), delimiter=delimiter)))
    except csv.Error:
        return 0  # the csv module's own error, reported with its line by the slow path


def _parse_body_slowly(text: str, offset: int, first_line: int, delimiter: str, budget: Budget) -> pd.DataFrame:
    rows: list[list[str]] = []
    lines: list[int] = []
    next_line = first_line
    try:
        for record in _records(text, delimiter, offset, first_line):
            if len(rows) % 10_000 == 0:
                budget.check_time()
            rows.append(record.fields)
            lines.append(record.line)
            next_line = record.next_line
    except csv.Error as exc:
        detail = f'{next_line}行目から先の引用符（"）の対応が取れません'
        raise UnreadableFile(error("not_a_table", detail=detail)) from exc
    return frame(rows, lines)


def _count_lines(data: bytes, start: int) -> int:
    breaks = data.count(b"\n", start) + data.count(b"\r", start) - data.count(b"\r\n", start)
    return breaks + (0 if data.endswith((b"\n", b"\r")) else 1)


def _damaged_rows(text: str, record_starts: list[int]) -> list[Finding]:
    """undecodable_bytes on each record (by its first line) holding a U+FFFD from decoding."""
    rows: dict[int, None] = {}  # ordered and unique
    for number, found in enumerate(_LINE.finditer(text), 1):
        if "\ufffd" in found.group():
            rows[record_starts[bisect_right(record_starts, number) - 1]] = None
    return [error("undecodable_bytes", row=row) for row in rows]
