"""Character width: fold full-width ASCII, widen half-width katakana, blank the "not applicable" dashes.

Deliberately not NFKC, which would also turn ① into 1 and ㈱ into (株): free text must stay as
submitted, so each function touches one named range of characters and nothing else. Both
rewrites work on code-point matrices: str.translate costs a Python call per cell (~1.5 s per
million on Arrow strings) and cannot compose ｶﾞ into ガ.
"""

import unicodedata

import numpy as np
import pandas as pd

from transforms.japanese._text import as_text, cells, rewrite_codepoints

# A cell holding only one of these means "none / not surveyed".
BLANK_MARKERS = ("－", "―", "-", "ー", "‐", "−", "–", "—", "ｰ")

_WIDE_FIRST, _WIDE_LAST, _WIDE_OFFSET = 0xFF01, 0xFF5E, 0xFEE0  # ！ … ～ are ! … ~ plus the offset
_FOLDABLE = "[\uff01-\uff5e\u3000]"
_HALF_FIRST, _HALF_LAST = 0xFF61, 0xFF9F
_DAKUTEN, _HANDAKUTEN = 0xFF9E, 0xFF9F


def _kana_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per half-width character: its full-width form, and its form with ﾞ / ﾟ composed (0: none)."""
    full, voiced, semi = (np.zeros(_HALF_LAST - _HALF_FIRST + 1, np.uint32) for _ in range(3))
    for i in range(len(full)):
        wide = unicodedata.normalize("NFKC", chr(_HALF_FIRST + i))
        full[i] = ord(wide)
        for table, mark in ((voiced, "\u3099"), (semi, "\u309a")):
            composed = unicodedata.normalize("NFC", wide + mark)
            table[i] = ord(composed) if len(composed) == 1 else 0
    # NFKC makes the lone marks combining characters; a lone mark should stay a visible ゛ / ゜.
    full[_DAKUTEN - _HALF_FIRST], full[_HANDAKUTEN - _HALF_FIRST] = ord("゛"), ord("゜")
    return full, voiced, semi


_FULL, _VOICED, _SEMI_VOICED = _kana_tables()


def fold_ascii_width(s: pd.Series) -> pd.Series:
    """Full-width ASCII (！ to ～, U+FF01–FF5E) and the ideographic space to half-width; nothing else changes."""
    return pd.Series(_fold_rows(*cells(s)), index=s.index, dtype=s.dtype)


def half_width(raw: np.ndarray, text: pd.Series) -> pd.Series:
    """The cells from cells() folded as by fold_ascii_width, as pandas' string dtype."""
    folded = _fold_rows(raw, text)
    return text if folded is raw else as_text(folded, text.index)


def kana_to_fullwidth(s: pd.Series) -> pd.Series:
    """Half-width katakana (U+FF61–FF9F) to full-width, composing ｶﾞ → ガ, ﾊﾟ → パ, ｳﾞ → ヴ."""
    raw, text = cells(s)
    halfwidth = text.str.contains("[\uff61-\uff9f]").to_numpy(dtype=bool)
    return pd.Series(rewrite_codepoints(raw, halfwidth, _widen_kana), index=s.index, dtype=s.dtype)


def blank_markers_to_empty(s: pd.Series) -> pd.Series:
    """A cell that is only a dash (－, ―, -, ー, ‐, −, –, —, ｰ) becomes ""."""
    return s.mask(s.isin(BLANK_MARKERS), "")


def _fold_rows(values: np.ndarray, text: pd.Series) -> np.ndarray:
    """values with the rows that hold full-width ASCII folded; values itself when none do."""
    wide = text.str.contains(_FOLDABLE).to_numpy(dtype=bool)
    return rewrite_codepoints(values, wide, _fold) if wide.any() else values


def _fold(matrix: np.ndarray) -> np.ndarray:
    wide = (matrix >= _WIDE_FIRST) & (matrix <= _WIDE_LAST)
    return np.where(wide, matrix - _WIDE_OFFSET, np.where(matrix == 0x3000, 0x20, matrix))


def _widen_kana(matrix: np.ndarray) -> np.ndarray:
    half = (matrix >= _HALF_FIRST) & (matrix <= _HALF_LAST)
    wide = matrix.copy()
    wide[half] = _FULL[matrix[half] - _HALF_FIRST]
    # A character followed by ﾞ or ﾟ takes the composed form if there is one; the mark becomes a NUL (dropped).
    marked = half[:, :-1] & ((matrix[:, 1:] == _DAKUTEN) | (matrix[:, 1:] == _HANDAKUTEN))
    rows, columns = np.nonzero(marked)
    base = matrix[rows, columns] - _HALF_FIRST
    composed = np.where(matrix[rows, columns + 1] == _DAKUTEN, _VOICED[base], _SEMI_VOICED[base])
    rows, columns, composed = rows[composed != 0], columns[composed != 0], composed[composed != 0]
    wide[rows, columns] = composed
    wide[rows, columns + 1] = 0
    return wide
