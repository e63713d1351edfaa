"""Yes/blank flags (災害種別_*, 指定避難所との重複): "1" or empty, as the standard dataset defines them."""

import numpy as np
import pandas as pd

from transforms.japanese._text import build, cells
from transforms.japanese.parsed import Parsed
from transforms.japanese.width import half_width


def parse_flags(s: pd.Series) -> Parsed:
    """ "1", "１" and Excel's "1.0" become "1"; empty stays "". Anything else (○, 有, 0, yes) is invalid_flag."""
    raw, text = cells(s)
    one = half_width(raw, text).str.fullmatch(r"1(\.0+)?").to_numpy(dtype=bool)
    return build(raw, s.index, np.where(one, "1", ""), [("invalid_flag", ~one & (raw != ""))])
