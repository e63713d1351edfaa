"""From the rows under a found header to a SheetTable: drop blank rows, notes and empty columns, say so."""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from transforms.findings import Finding, warning
from transforms.readers.header import HeaderMatch, header_key, name_keys
from transforms.readers.model import SheetTable

# Notes under a table start like this (NFKC forms too: departments type both widths).
NOTE_PREFIXES = ("※", "注", "（注）", "(注)", "備考：", "備考:", "出典", "資料：", "資料:")

# Row lists in messages stop here; the count still gives the total.
MAX_LISTED_ROWS = 10


def frame(rows: Sequence[Sequence[str]], row_numbers: Sequence[int]) -> pd.DataFrame:
    """Ragged rows of strings as a DataFrame padded with "", indexed by row number."""
    width = max((len(row) for row in rows), default=0)
    padded = [list(row) + [""] * (width - len(row)) for row in rows]
    return pd.DataFrame(padded, index=pd.Index(row_numbers, dtype="int64"), columns=range(width), dtype=str)


def build_table(
    name: str | None,
    above: Sequence[Sequence[str]],
    match: HeaderMatch,
    header_row: int,
    data: pd.DataFrame,
    header_names: Sequence[str],
    *,
    trailing_empty: int = 0,
) -> SheetTable:
    """`above` are the rows over the header, `header_row` the header's row number, `data` the rows under it.

    `trailing_empty` counts columns after the last of `data` that the reader found empty and left out.
    """
    width = max(len(match.names), data.shape[1])
    header = match.names + [""] * (width - len(match.names))
    data = data.reindex(columns=range(width), fill_value="")
    filled = pd.DataFrame({col: data[col].str.strip().ne("") for col in data.columns}, index=data.index)
    blank = ~filled.any(axis=1)
    keys = name_keys(header_names)
    notes = _note_rows(data, filled, blank, [col for col, text in enumerate(header) if header_key(text) in keys])
    keep = ~(blank | notes)

    titles = [" ".join(text for text in (cell.strip() for cell in row) if text) for row in above]
    titles = [text for text in titles if text]
    warnings: list[Finding] = []
    if titles:
        warnings.append(warning("ignored_rows_above_header", count=header_row - 1))
    titles += [text for text in match.leftovers if text not in titles]
    # Blank rows after the last value are the sheet's formatted-but-unused area (Excel exports them
    # as ",,,," lines): dropped without a word. Blank rows inside the table are reported.
    valued = np.flatnonzero(~blank.to_numpy())
    inside = blank & (np.arange(len(data)) < (valued[-1] if len(valued) else 0))
    if inside.any():
        warnings.append(_rows_warning("ignored_blank_rows", data.index[inside]))
    if notes.any():
        warnings.append(_rows_warning("ignored_note_rows", data.index[notes]))

    data = _select(data, keep)
    # A column with neither a name nor a value is layout (a margin column A, a trailing comma), not data.
    empty = [col for col in range(width) if not header[col] and not filled[col][keep].any()]
    if empty or trailing_empty:
        warnings.append(warning("ignored_empty_columns", count=len(empty) + trailing_empty))
        dropped = set(empty)
        kept = [col for col in range(width) if col not in dropped]
        data = data[kept]
        header = [header[col] for col in kept]
    data.columns = pd.RangeIndex(len(header))
    return SheetTable(name=name, title_lines=titles, header=header, cells=data, warnings=warnings)


def _note_rows(data: pd.DataFrame, filled: pd.DataFrame, blank: pd.Series, matched: list[int]) -> pd.Series:
    """Note rows: a lone cell starting with ※, 注, 出典 …; after the first, also rows too sparse to be data."""
    # Only rows with a single value can be notes; checking just those keeps a million-row file fast.
    lone = np.flatnonzero((filled.sum(axis=1) == 1).to_numpy())
    candidates = data.iloc[lone]
    hits = np.zeros(len(lone), dtype=bool)
    for col in candidates.columns:
        hits |= candidates[col].str.lstrip().str.startswith(NOTE_PREFIXES).to_numpy(dtype=bool)
    is_note = np.zeros(len(data), dtype=bool)
    is_note[lone] = hits
    if is_note.any():
        after_first = np.arange(len(data)) > int(np.argmax(is_note))
        # Continuation lines of a note ("2. 調査対象は…") hold fewer values than any data row in the named columns.
        sparse = (filled[matched].sum(axis=1) < min(2, len(matched))).to_numpy()
        is_note |= after_first & sparse & ~blank.to_numpy()
    return pd.Series(is_note, index=data.index)


def _select(data: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    # Usually only rows at the end go (notes, unused formatted rows): slicing then copies nothing.
    kept = int(keep.sum())
    if keep.iloc[:kept].all():
        return data.iloc[:kept]
    return data[keep]


def _rows_warning(code: str, rows: pd.Index) -> Finding:
    numbers = [str(int(row)) for row in rows[:MAX_LISTED_ROWS]]
    if len(rows) > MAX_LISTED_ROWS:
        numbers.append("…")
    return warning(code, count=len(rows), rows="、".join(numbers))
