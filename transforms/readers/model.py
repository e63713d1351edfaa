"""What a reader hands on: tables of strings keyed by the row numbers a department sees."""

from dataclasses import dataclass, field

import pandas as pd

from transforms.findings import Finding


@dataclass
class SheetTable:
    name: str | None  # Excel sheet name; None for text files
    title_lines: list[str]  # texts above the header (and header-row texts not used as a column name)
    header: list[str]  # one name per column of `cells`, stripped; a two-row header is combined
    cells: pd.DataFrame  # all str ("" for empty); columns 0..n-1; index = 1-based row number
    warnings: list[Finding] = field(default_factory=list)  # this sheet's share of ReadResult.warnings


@dataclass
class ReadResult:
    format: str  # "csv" | "tsv" | "txt" | "xlsx" | "xls"
    encoding: str | None  # "utf-8", "utf-8-sig", "cp932", "utf-16"; None for Excel
    sheets: list[SheetTable]
    warnings: list[Finding]
    errors: list[Finding]  # row-level problems found while reading (undecodable_bytes)
