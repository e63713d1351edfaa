"""Reshapings of submitted sheets that do not have the contract's columns as they stand.

A source contract names its folder's layout file (`layout: layout.py`, which defines LAYOUT);
the layout says which header names find the table and turns the sheets into rows under the
contract's columns. Shared code never asks which dataset it is handling.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from transforms.contracts import SourceContract, load_code
from transforms.findings import Finding
from transforms.readers import ReadResult
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
