"""Where odl keeps things and the bounds it reads within. Every path and bound can be changed with an environment variable."""

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MIB = 1 << 20


def data_root() -> Path:
    """Root of the data the stages keep (ODL_DATA_ROOT); what lies under it: transforms.data_layout."""
    return Path(os.environ.get("ODL_DATA_ROOT", PROJECT_ROOT / "data"))


def catalog_dir() -> Path:
    """Dataset contracts and reference data (ODL_CATALOG_DIR)."""
    return Path(os.environ.get("ODL_CATALOG_DIR", PROJECT_ROOT / "catalog"))


@dataclass(frozen=True)
class ReadLimits:
    """Bounds a submitted file must stay within before and while it is read (ODL_MAX_* overrides each).

    The defaults keep `odl check` under 1 GiB and 30 s on a 2-core machine for any file
    (tests/hostile), while a million-row CSV (77 MB, 8 million cells) still passes in seconds.
    """

    file_bytes: int = 100 * MIB  # ODL_MAX_FILE_BYTES: the file as received
    # xlrd holds every cell of an .xls as Python objects (~100 bytes a cell, ~6 bytes in the file).
    xls_bytes: int = 20 * MIB  # ODL_MAX_XLS_BYTES: an old-format .xls
    xlsx_parts: int = 10_000  # ODL_MAX_XLSX_PARTS: entries in the zip
    xlsx_unpacked_bytes: int = 512 * MIB  # ODL_MAX_XLSX_UNPACKED_BYTES: all entries, uncompressed
    xlsx_sheet_bytes: int = 256 * MIB  # ODL_MAX_XLSX_SHEET_BYTES: one worksheet's XML, uncompressed
    # Parsed whole by openpyxl at ~2 MB/s: 32 MB of sharedStrings is 1.5 million strings and ~15 s.
    xlsx_part_bytes: int = 32 * MIB  # ODL_MAX_XLSX_PART_BYTES: any other entry (sharedStrings …)
    xlsx_styles_bytes: int = 8 * MIB  # ODL_MAX_XLSX_STYLES_BYTES: styles.xml parses slower still (~1 MB/s)
    xlsx_ratio: int = 500  # ODL_MAX_XLSX_RATIO: uncompressed ÷ compressed, for entries over 1 MiB
    columns: int = 16_384  # ODL_MAX_COLUMNS: Excel's own width
    cells: int = 10_000_000  # ODL_MAX_CELLS: rows × columns
    cell_chars: int = 32_767  # ODL_MAX_CELL_CHARS: Excel's own limit for one cell
    findings_per_code: int = 100  # ODL_MAX_FINDINGS_PER_CODE: the rest are counted, not listed
    read_seconds: float = 25.0  # ODL_MAX_READ_SECONDS: wall time to read one file (~2 million xlsx cells here)


def read_limits() -> ReadLimits:
    """ReadLimits with any ODL_MAX_<FIELD> environment variable applied."""
    overrides: dict[str, Any] = {}
    for limit in fields(ReadLimits):
        value = os.environ.get(f"ODL_MAX_{limit.name.upper()}")
        if value:
            overrides[limit.name] = float(value) if limit.type in (float, "float") else int(value)
    return ReadLimits(**overrides)
