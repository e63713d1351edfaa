"""全国地方公共団体コード: five digits and a check digit (242012 = 津市)."""

import numpy as np
import pandas as pd

from transforms.japanese._text import build, cells, codepoints, on_rows
from transforms.japanese.parsed import Parsed
from transforms.japanese.width import half_width

_WEIGHTS = np.array([6, 5, 4, 3, 2])


def lg_check_digit(first_five: str) -> int:
    """The check digit of a code's first five digits: (11 - (Σ dᵢ·wᵢ mod 11)) mod 10, weights 6,5,4,3,2."""
    if len(first_five) != 5 or not (first_five.isascii() and first_five.isdigit()):
        raise ValueError(f"not five digits: {first_five!r}")
    return int(_check_digits(np.array([[int(d) for d in first_five]]))[0])


def parse_lg_codes(s: pd.Series) -> Parsed:
    """Codes as six half-width digits. Full-width digits and Excel's "242012.0" are accepted; a five-digit
    value gets back the leading zero Excel dropped only when the check digit confirms it ("12025" → "012025").

    Errors: invalid_lg_code (not 6 digits, or 5 that the check digit does not confirm), lg_code_check_digit.
    Whether the code is one of Mie's is checked elsewhere.
    """
    raw, text = cells(s)
    text = half_width(raw, text)
    text = on_rows(text, text.str.contains(".", regex=False), lambda rows: rows.str.replace(r"\.0+$", "", regex=True))
    six = text.str.fullmatch("[0-9]{6}").to_numpy(dtype=bool)
    five = text.str.fullmatch("[0-9]{5}").to_numpy(dtype=bool)
    code = text.to_numpy(dtype=object, copy=True)
    code[five] = "0" + code[five]
    confirmed = np.zeros(len(raw), dtype=bool)
    if (six | five).any():
        digits = codepoints(code[six | five]).astype(np.int64) - ord("0")
        confirmed[six | five] = _check_digits(digits[:, :5]) == digits[:, 5]
    errors = [
        ("invalid_lg_code", ~six & ~five & (raw != "") | five & ~confirmed),
        ("lg_code_check_digit", six & ~confirmed),
    ]
    return build(raw, s.index, code, errors)


def _check_digits(first_five: np.ndarray) -> np.ndarray:
    return (11 - (first_five @ _WEIGHTS) % 11) % 10
