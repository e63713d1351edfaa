"""Web addresses (URL columns): http(s) with a real host."""

import pandas as pd

from transforms.japanese._text import build, cells, on_rows
from transforms.japanese.parsed import Parsed
from transforms.japanese.width import half_width

_SPACE = " \t\r\n\f\v\u00a0\u3000"  # spelt out: \s means ASCII only in RE2 but all of Unicode in re
_HOST = rf"(localhost|[^{_SPACE}/?#@:]+\.[^{_SPACE}/?#@:]+)"
_URL = rf"(?i:https?)://([^{_SPACE}/?#@]+@)?{_HOST}(:[0-9]+)?([/?#][^{_SPACE}]*)?"


def parse_urls(s: pd.Series) -> Parsed:
    """http:// or https:// addresses whose host has a dot (or is localhost); full-width ASCII is folded and
    a scheme capitalised by autocorrect (Http://) is lower-cased. Errors: invalid_url.
    """
    raw, text = cells(s)
    text = half_width(raw, text)
    text = on_rows(text, text.str.match("[Hh][Tt][Tt][Pp]") & ~text.str.startswith("http"), _lower_scheme)
    valid = text.str.fullmatch(_URL).to_numpy(dtype=bool)
    return build(raw, s.index, text, [("invalid_url", ~valid & (raw != ""))])


def _lower_scheme(text: pd.Series) -> pd.Series:
    text = text.str.replace("^[Hh][Tt][Tt][Pp][Ss]:", "https:", regex=True)
    return text.str.replace("^[Hh][Tt][Tt][Pp]:", "http:", regex=True)
