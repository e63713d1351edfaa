"""Japanese telephone numbers to half-width digits and hyphens (059-224-2111)."""

import pandas as pd

from transforms.japanese._text import build, cells, on_rows
from transforms.japanese.parsed import Parsed
from transforms.japanese.width import half_width

# Dashes people type for a hyphen: ‐ ‑ ‒ – — ― − ー ｰ ﹣ (the full-width － is folded before).
_DASHES = "[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\ufe63]"
# A leading 0, 10 or 11 digits in all, single hyphens only between digits (first group at least 2 digits).
_PHONE = r"0[0-9](-?[0-9]){8,9}"


def parse_phones(s: pd.Series) -> Parsed:
    """Phone numbers to half-width digits with hyphens: ０５９－２２４－２１１１, 059(224)2111, (059)224-2111,
    059 224 2111 and 059ー224ー2111 all become 059-224-2111. Digits without hyphens stay so: where they go
    is not guessable.

    Valid: starts with 0, 10 or 11 digits (which covers 0120, 0570 and 0800 numbers). Errors: invalid_phone.
    """
    raw, text = cells(s)
    text = half_width(raw, text)
    # Each rewrite runs only on the few rows that need it.
    text = on_rows(text, text.str.contains(_DASHES), lambda rows: rows.str.replace(_DASHES, "-", regex=True))
    text = on_rows(text, text.str.contains("(", regex=False), _unbracket)
    text = on_rows(text, text.str.contains(" |--"), lambda rows: rows.str.replace("[ -]+", "-", regex=True))
    valid = text.str.fullmatch(_PHONE).to_numpy(dtype=bool)
    return build(raw, s.index, text, [("invalid_phone", ~valid & (raw != ""))])


def _unbracket(text: pd.Series) -> pd.Series:
    """An area code in brackets becomes a hyphenated group: (059)224-2111, 059(224)2111 → 059-224-2111."""
    text = text.str.replace(r"^\(([0-9]+)\) *", r"\1-", regex=True)
    return text.str.replace(r" *\(([0-9]+)\) *", r"-\1-", regex=True).str.replace("-+", "-", regex=True)
