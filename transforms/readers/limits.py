"""The bounds one read stays within (settings.ReadLimits), checked before the work they bound."""

import re
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from transforms.findings import Finding, UnreadableFile, error, megabytes, more_findings
from transforms.settings import ReadLimits, read_limits

# Characters no one types into a cell: C0 and C1 controls but tab and line breaks, DEL, and the
# non-characters U+FFFE/U+FFFF (the text reader parks NUL bytes as U+FFFF while parsing).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


@dataclass
class Budget:
    """ReadLimits plus the moment this read must be over by."""

    limits: ReadLimits = field(default_factory=read_limits)
    deadline: float = 0.0

    def __post_init__(self) -> None:
        self.deadline = self.deadline or time.monotonic() + self.limits.read_seconds

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise UnreadableFile(error("read_too_slow", limit=self.limits.read_seconds))

    def check_file_size(self, size: int, limit: int | None = None) -> None:
        limit = self.limits.file_bytes if limit is None else limit
        if size > limit:
            raise UnreadableFile(error("file_too_large", size=megabytes(size), limit=megabytes(limit)))

    def check_columns(self, count: int) -> None:
        if count > self.limits.columns:
            raise UnreadableFile(error("too_many_columns", count=count, limit=self.limits.columns))

    def check_cells(self, cells: int) -> None:
        if cells > self.limits.cells:
            raise UnreadableFile(error("too_many_cells", cells=cells, limit=self.limits.cells))


def cell_findings(cells: pd.DataFrame, header: list[str], limits: ReadLimits, *, controls: bool) -> list[Finding]:
    """control_character and cell_too_long on each cell, by row and column (controls=False skips the first).

    Past limits.findings_per_code of a code, hits are only counted: a file of a million bad cells
    makes a hundred findings and one more_findings.
    """
    found: list[Finding] = []
    hits: Counter[str] = Counter()
    for col in cells.columns:
        values = cells[col]
        name = header[col] or f"{col + 1}列目"
        too_long = (values.str.len() > limits.cell_chars).to_numpy(dtype=bool)
        with_control = (
            values.str.contains(CONTROL_CHARACTERS.pattern, regex=True).to_numpy(dtype=bool)
            if controls
            else np.zeros(len(values), dtype=bool)
        )
        for code, mask in (("cell_too_long", too_long), ("control_character", with_control)):
            rows = values.index[mask]
            room = max(0, limits.findings_per_code - hits[code])
            for row in rows[:room]:
                text = values[row]
                params = {"length": len(text), "limit": limits.cell_chars, "character": _name(text)}
                found.append(error(code, row=int(row), column=name, **params))
            hits[code] += len(rows)
    return found + [
        more_findings(code, count - limits.findings_per_code, limits.findings_per_code)
        for code, count in hits.items()
        if count > limits.findings_per_code
    ]


def _name(text: str) -> str:
    found = CONTROL_CHARACTERS.search(text)
    code = ord(found.group()) if found else 0
    return "NUL" if code in (0, 0xFFFF) else f"U+{code:04X}"
