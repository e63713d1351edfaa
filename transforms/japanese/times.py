"""Times of day (開始時間, 終了時間) to HH:MM."""

import numpy as np
import pandas as pd

from transforms.japanese._text import build, cells, codepoints, digit_groups, joined, zero_padded
from transforms.japanese.parsed import Parsed
from transforms.japanese.width import half_width

_TIME = r"[0-9]{1,2}(:[0-9]{2}(:[0-9]{2})?|時([0-9]{1,2}分)?)"


def parse_times(s: pd.Series) -> Parsed:
    """Times to zero-padded HH:MM: 9:00, 09:00, ９：００, 9:00:00 (seconds dropped), 9時, 9時30分.

    00:00–23:59 and also 24:00, which closing times (終了時間) use for "until midnight"; whether a
    column allows it is for the caller. Errors: invalid_time.
    """
    raw, text = cells(s)
    text = half_width(raw, text)
    shaped = text.str.fullmatch(_TIME).to_numpy(dtype=bool)
    hhmm = np.full(len(raw), "", dtype=object)
    valid = np.zeros(len(raw), dtype=bool)
    if shaped.any():
        hour, minute, second = digit_groups(codepoints(text[shaped].to_numpy(dtype=object)), 3)
        valid[shaped] = (hour <= 23) & (minute <= 59) & (second <= 59) | (hour == 24) & (minute == 0) & (second == 0)
        hhmm[shaped] = joined(zero_padded(hour, 2), ":", zero_padded(minute, 2))
    return build(raw, s.index, hhmm, [("invalid_time", ~valid & (raw != ""))])
