"""read_table: any file a department keeps, as tables of strings; the format comes from the bytes."""

from collections.abc import Sequence
from pathlib import Path

from transforms.readers.detect import sniff_format
from transforms.readers.excel import read_excel
from transforms.readers.limits import Budget
from transforms.readers.model import ReadResult
from transforms.readers.text import read_text
from transforms.settings import ReadLimits, read_limits


def read_table(
    path: Path, header_names: Sequence[str], *, all_sheets: bool = False, limits: ReadLimits | None = None
) -> ReadResult:
    """Read `path` into tables whose header row names the most of `header_names`.

    Raises UnreadableFile (odl check exits 2) when the file is empty, of another format,
    not decodable, over a bound of `limits` (settings.read_limits() by default), or holds
    no table with such a header.
    """
    budget = Budget(limits or read_limits())
    size = path.stat().st_size
    budget.check_file_size(size)
    fmt = sniff_format(path, budget.limits.xlsx_parts)
    if fmt == "text":
        return read_text(path, header_names, budget)
    if fmt == "xls":
        budget.check_file_size(size, budget.limits.xls_bytes)
    return read_excel(path, fmt, header_names, budget, all_sheets=all_sheets)
