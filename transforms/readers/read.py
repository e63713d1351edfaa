"""read_table: any file a department keeps, as tables of strings; the format comes from the bytes."""

from collections.abc import Sequence
from pathlib import Path

from transforms.readers.detect import sniff_format
from transforms.readers.excel import read_excel
from transforms.readers.model import ReadResult
from transforms.readers.text import read_text


def read_table(path: Path, header_names: Sequence[str], *, all_sheets: bool = False) -> ReadResult:
    """Read `path` into tables whose header row names the most of `header_names`.

    Raises UnreadableFile (odl check exits 2) when the file is empty, of another format,
    not decodable, or holds no table with such a header.
    """
    fmt = sniff_format(path)
    if fmt == "text":
        return read_text(path, header_names)
    return read_excel(path, fmt, header_names, all_sheets=all_sheets)
