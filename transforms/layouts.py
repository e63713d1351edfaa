"""Reshapings of submitted sheets that do not have the contract's columns as they stand.

A source contract names its folder's layout file (`layout: layout.py`, which defines LAYOUT);
the layout says which header names find the table and turns the sheets into rows under the
contract's columns. Shared code never asks which dataset it is handling; the helpers at the end
are steps several layouts take (a totals warning, 市町名 to codes, findings naming their sheet).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from transforms.contracts import SourceContract, load_code
from transforms.findings import Finding, error, warning
from transforms.readers import ReadResult, SheetTable
from transforms.reference import Municipalities

Reshape = Callable[[ReadResult, SourceContract, Municipalities], tuple[pd.DataFrame, list[Finding]]]


@dataclass(frozen=True)
class Layout:
    header_names: list[str]  # what the reader looks for to find the header row
    all_sheets: bool  # read every sheet holding a table, not just the first
    reshape: Reshape


def layout_of(contract: SourceContract) -> Layout | None:
    if contract.layout is None:
        return None
    layout: Layout = load_code(contract.path.parent, contract.layout).LAYOUT
    return layout


def total_mismatch(row: int, column: str, detail: str, stated: float, computed: float) -> Finding:
    """The warning that a totals row or column (detail names it) is not the sum of what it totals."""
    return warning("total_mismatch", row=row, column=column, detail=detail, stated=int(stated), computed=int(computed))


def findings_naming_sheet(read: ReadResult, sheet: SheetTable, findings: list[Finding]) -> list[Finding]:
    """One sheet's findings, each naming the sheet when the workbook has several: row numbers repeat across sheets."""
    return [finding.in_sheet(sheet.name if len(read.sheets) > 1 else None) for finding in findings]


def municipality_codes(
    names: pd.Series, municipalities: Municipalities, column: str
) -> tuple[pd.Series, list[Finding]]:
    """The 全国地方公共団体コード of each row whose 市町名 (in names) is one of Mie's, and an error on each other row."""
    codes, errors = municipalities.resolve_names(names)
    findings = [error(code, row=int(row), column=column, value=names.loc[row]) for row, code in errors.dropna().items()]
    return codes[codes != ""], findings
