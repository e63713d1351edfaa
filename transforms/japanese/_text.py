"""Vectorised building blocks shared by the cell parsers.

Regex work runs on pandas' string dtype, whose .str methods use Arrow (RE2) and are several times
faster than on object dtype. Every pattern in this package must therefore mean the same in RE2
and in Python's re (pandas' fallback without pyarrow): [0-9] rather than \\d, literal characters
rather than \\s, no look-around, no back-references, no \\g<name> in replacements. Character
rewrites and digits are done by arithmetic on code-point matrices (numpy), never row by row.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from transforms.japanese.parsed import Parsed

_CELLS_PER_BLOCK = 1 << 22  # code points per matrix: 16 MB, however long the longest cell is


def cells(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """The cells as an object array of str and as pandas' string dtype (for the fast .str methods).

    Absent values become "". A Series already of that dtype is used as it is.
    """
    raw = s.to_numpy(dtype=object, na_value="")
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.na_value is np.nan and not s.hasnans:
        return raw, s
    return raw, as_text(raw, s.index)


def as_text(values: np.ndarray, index: pd.Index) -> pd.Series:
    """An object array of str as a Series of pandas' string dtype."""
    return pd.Series(values, index=index, dtype="str")


def on_rows(text: pd.Series, rows: Any, rewrite: Callable[[pd.Series], Any]) -> pd.Series:
    """rewrite applied only to the rows that need it; most cells need none of the rewrites."""
    rows = np.asarray(rows, dtype=bool)
    if not rows.any():
        return text
    out = text.copy()
    out[rows] = np.asarray(rewrite(text[rows]), dtype=object)
    return out


def rewrite_codepoints(values: np.ndarray, rows: np.ndarray, rewrite: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """A copy of values with rewrite applied to the code-point matrix of the chosen rows.

    Rows are grouped by length (up to the next power of two) so that a few long cells cost
    memory only for themselves. rewrite may leave NULs, which end up dropped.
    """
    out = values.copy()
    chosen = np.flatnonzero(rows)
    lengths = np.fromiter(map(len, values[chosen]), dtype=np.int64, count=len(chosen))
    size_class = np.ceil(np.log2(np.maximum(lengths, 1))).astype(np.int64)
    for klass in np.unique(size_class):
        members = chosen[size_class == klass]
        step = max(1, _CELLS_PER_BLOCK >> int(klass))
        for start in range(0, len(members), step):
            block = members[start : start + step]
            out[block] = from_codepoints(rewrite(codepoints(values[block])))
    return out


def codepoints(values: Any) -> np.ndarray:
    """The (rows, width) uint32 matrix of the strings' code points, NUL-padded on the right."""
    chars = np.asarray(values, dtype=str)
    width = max(chars.dtype.itemsize // 4, 1)
    return np.ascontiguousarray(chars).view(np.uint32).reshape(len(chars), width)


def from_codepoints(matrix: np.ndarray) -> np.ndarray:
    """The strings of a code-point matrix as an object array; NULs are dropped."""
    matrix = np.asarray(matrix, dtype=np.uint32)
    if ((matrix[:, :-1] == 0) & (matrix[:, 1:] != 0)).any():  # a NUL before a character: close the gap
        keep = matrix != 0
        packed = np.zeros_like(matrix)
        rows = np.broadcast_to(np.arange(len(matrix))[:, None], matrix.shape)
        packed[rows[keep], (np.cumsum(keep, axis=1) - 1)[keep]] = matrix[keep]
        matrix = packed
    matrix = np.ascontiguousarray(matrix)
    return matrix.view(f"U{max(matrix.shape[1], 1)}").reshape(len(matrix)).astype(object)


def digit_groups(matrix: np.ndarray, count: int) -> np.ndarray:
    """The first `count` runs of ASCII digits in each row, as integers, shape (count, rows).

    Missing runs are 0. Callers check the shape by regex first, so runs are short and cannot overflow.
    A loop over the few columns, each step vectorised over all rows.
    """
    groups = np.zeros((count, len(matrix)), dtype=np.int64)
    run = np.zeros(len(matrix), dtype=np.int64)
    previous = np.zeros(len(matrix), dtype=bool)
    for column in np.ascontiguousarray(matrix.T):
        is_digit = (column >= ord("0")) & (column <= ord("9"))
        run += previous & ~is_digit
        shifted = groups * 10 + (column.astype(np.int64) - ord("0"))
        for k in range(count):
            np.copyto(groups[k], shifted[k], where=is_digit & (run == k))
        previous = is_digit
    return groups


def zero_padded(numbers: np.ndarray, width: int) -> np.ndarray:
    """(rows, width) code points of non-negative integers written with leading zeros."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (ord("0") + (numbers[:, None] // powers) % 10).astype(np.uint32)


def joined(*parts: np.ndarray | str) -> np.ndarray:
    """Code-point blocks and one-character separators glued into one string per row."""
    rows = next(len(part) for part in parts if isinstance(part, np.ndarray))
    blocks = [np.full((rows, 1), ord(part), np.uint32) if isinstance(part, str) else part for part in parts]
    return from_codepoints(np.hstack(blocks))


def build(raw: np.ndarray, index: pd.Index, values: Any, errors: list[tuple[str, Any]]) -> Parsed:
    """The Parsed for raw: `values` where a cell has no error, the cell as submitted where it has one.

    `errors` pairs a code with the rows it applies to; where masks overlap the first pair wins.
    """
    codes = np.full(len(raw), None, dtype=object)
    failed = np.zeros(len(raw), dtype=bool)
    for code, rows in reversed(errors):
        mask = np.asarray(rows, dtype=bool)
        codes[mask] = code
        failed |= mask
    normalised = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    return Parsed(
        values=pd.Series(np.where(failed, raw, normalised), index=index, dtype=object),
        errors=pd.Series(codes, index=index, dtype=object),
    )
