"""Text a spreadsheet would run as a formula when the published CSV is opened (CSV injection)."""

import numpy as np
import pandas as pd

from transforms.japanese._text import as_text

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Plain numbers (-3, +1.5, -1,234, 1e-5) start with a trigger but are read as numbers, not run.
_NUMBER = r"[+-]?([0-9][0-9,]*(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"


def formula_like(s: pd.Series) -> pd.Series:
    """True where a cell starts with = + - @ (half-width; or a tab or CR) and is not a plain number.

    A lone "-" is a blank marker, not a formula. +81-59-224-2111 is flagged: Excel would compute it.
    """
    text = _text(s)
    # Few cells start with a trigger: only those are matched against the number pattern.
    flagged = text.str.startswith(_TRIGGERS).to_numpy(dtype=bool, copy=True)
    if flagged.any():
        candidates = text[flagged]
        flagged[flagged] = (~candidates.str.fullmatch(_NUMBER) & (candidates != "-")).to_numpy(dtype=bool)
    return pd.Series(flagged, index=s.index, dtype=bool)


def _text(s: pd.Series) -> pd.Series:
    """s as pandas' string dtype without missing values (absent cells as "")."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.na_value is np.nan and not s.hasnans:
        return s
    return as_text(s.to_numpy(dtype=object, na_value=""), s.index)
