"""Excel cell values as the text a person typed: 242012 not 242012.0, 2024-04-01 not a serial number."""

import datetime as dt
from decimal import Decimal

# Excel shows at most 15 significant digits; beyond that a double is float noise (0.1+0.2).
_EXCEL_DIGITS = 15


def cell_text(value: object) -> str:
    """openpyxl's cell value (None, str, bool, int, float, datetime, date, time, timedelta) as text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        moment = _to_second(dt.datetime.combine(dt.date.min, value))
        return clock_text(moment.hour, moment.minute, moment.second)
    if isinstance(value, dt.timedelta):
        # A duration format ([h]:mm): hours may pass 24.
        seconds = round(value.total_seconds())
        return clock_text(seconds // 3600, seconds // 60 % 60, seconds % 60)
    return str(value)


def number_text(value: float) -> str:
    """Shortest plain decimal: 242012.0 → "242012", 34.730278 → "34.730278", 1e-05 → "0.00001"."""
    if value.is_integer() and abs(value) < 10**_EXCEL_DIGITS:
        return str(int(value))
    return format(Decimal(f"{value:.{_EXCEL_DIGITS}g}"), "f")


def datetime_text(value: dt.datetime) -> str:
    """ "YYYY-MM-DD", or "YYYY-MM-DD HH:MM" when there is a time of day."""
    value = _to_second(value)
    if value.time() == dt.time(0):
        return value.date().isoformat()
    return f"{value.date().isoformat()} {clock_text(value.hour, value.minute, value.second)}"


def clock_text(hours: int, minutes: int, seconds: int) -> str:
    """ "HH:MM", with ":SS" only when the seconds are not zero (so nothing typed is lost)."""
    text = f"{hours:02d}:{minutes:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def _to_second(value: dt.datetime) -> dt.datetime:
    # Serial numbers are floats: 10:30 may come back as 10:29:59.999999.
    return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
