"""Integers and decimals as departments type them: full-width, with thousands separators, 1.0 from Excel."""

import numpy as np
import pandas as pd

from transforms.japanese._text import build, cells, on_rows
from transforms.japanese.parsed import Parsed
from transforms.japanese.width import half_width

# − (U+2212, from non-cp932 sources) and ▲ / △, the minus signs of Japanese accounts tables.
_MINUS_SIGNS = "[\u2212\u25b2\u25b3]"
_DIGITS = r"([0-9]+|[0-9]{1,3}(,[0-9]{3})+)"  # thousands separators only where they belong: 1,5 is a typo
_INTEGER = rf"[+-]?{_DIGITS}(\.0+)?"  # Excel writes integers as 1.0
_DECIMAL = rf"[+-]?({_DIGITS}(\.[0-9]*)?|\.[0-9]+)"  # no 1E+05: Excel's exponent form has lost digits


def parse_integers(s: pd.Series, *, non_negative: bool) -> Parsed:
    """Integers as canonical strings ("1,234" → "1234", "１.0" → "1", "007" → "7", "+5" → "5", "▲3" → "-3").

    Errors: invalid_integer (including 1.5), negative_number when non_negative.
    """
    raw, text = cells(s)
    text = _numeric_text(raw, text)
    valid = text.str.fullmatch(_INTEGER).to_numpy(dtype=bool)
    value = _canonical(text.str.replace(r"\.0+$", "", regex=True))
    errors = [("invalid_integer", ~valid & (raw != ""))]
    if non_negative:
        errors.append(("negative_number", valid & value.str.startswith("-").to_numpy(dtype=bool)))
    return build(raw, s.index, value, errors)


def parse_decimals(s: pd.Series, *, non_negative: bool = False) -> Parsed:
    """Decimals as canonical strings: digits as given less needless zeros ("034.7300" → "34.73", ".5" → "0.5").

    Errors: invalid_number, negative_number when non_negative.
    """
    raw, text = cells(s)
    text = _numeric_text(raw, text)
    valid = text.str.fullmatch(_DECIMAL).to_numpy(dtype=bool)
    # An unmatched group is replaced by "": "1.500" → "1.5", "1.000" → "1".
    value = text.str.replace(r"\.0*$|(\.[0-9]*[1-9])0+$", r"\1", regex=True)
    value = _canonical(on_rows(value, value.str.match(r"[+-]?\."), _zero_before_point))
    errors = [("invalid_number", ~valid & (raw != ""))]
    if non_negative:
        errors.append(("negative_number", valid & value.str.startswith("-").to_numpy(dtype=bool)))
    return build(raw, s.index, value, errors)


def _numeric_text(raw: np.ndarray, text: pd.Series) -> pd.Series:
    """Half-width text with the minus signs unified; separators are left for the patterns to check."""
    text = half_width(raw, text)
    return on_rows(text, text.str.contains(_MINUS_SIGNS), lambda rows: rows.str.replace(_MINUS_SIGNS, "-", regex=True))


def _zero_before_point(text: pd.Series) -> pd.Series:
    # Two replacements: "\\10." would mean group 10 to Python's re.
    return text.str.replace(r"^[+]?\.", "0.", regex=True).str.replace(r"^-\.", "-0.", regex=True)


def _canonical(text: pd.Series) -> pd.Series:
    """No separators, no plus sign, no leading zeros, no negative zero."""
    text = text.str.replace(",", "", regex=False).str.replace(r"^[+]?(-?)0*([0-9])", r"\1\2", regex=True)
    return text.mask(text == "-0", "0")
