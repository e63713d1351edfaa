"""Text a spreadsheet would run as a formula when the published CSV is opened (CSV injection)."""

import pandas as pd

from transforms.japanese._text import cells

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Plain numbers (-3, +1.5, -1,234, 1e-5) start with a trigger but are read as numbers, not run.
_NUMBER = r"[+-]?([0-9][0-9,]*(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"


def formula_like(s: pd.Series) -> pd.Series:
    """True where a cell starts with = + - @ (half-width; or a tab or CR) and is not a plain number.

    A lone "-" is a blank marker, not a formula. +81-59-224-2111 is flagged: Excel would compute it.
    """
    _, text = cells(s)
    flagged = text.str.startswith(_TRIGGERS) & ~text.str.fullmatch(_NUMBER) & (text != "-")
    return pd.Series(flagged.to_numpy(dtype=bool), index=s.index, dtype=bool)
