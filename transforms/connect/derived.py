"""Tables that cross-column and cross-dataset expectations validate, computed by odl, checked by GX.

GX core on pandas has no expectation for "a ratio of two columns" or "these rows sum to that
row of another dataset", so odl computes the comparison as a small table (one row per thing
compared) and the hand-written expectations (the folder's checks.json) check its columns. A dataset folder's
derived.py defines them (DERIVED); a suite names one in an expectation's meta.batch and its
params in meta.odl.derived_tables.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from transforms.contracts import PublishedContract, load_code
from transforms.reference import Municipalities


@dataclass(frozen=True)
class DerivedContext:
    """What a derived table may use besides the curated table: the same inputs the dataset was built from."""

    inputs: dict[str, pd.DataFrame]
    contracts: dict[str, PublishedContract]
    municipalities: Municipalities


Derive = Callable[[pd.DataFrame, dict[str, Any], DerivedContext], pd.DataFrame]


DERIVED_FILE = "derived.py"


def derived_tables_of(contract: PublishedContract) -> dict[str, Derive]:
    """The derived tables a dataset folder defines (derived.py's DERIVED), by the name its checks use."""
    if not (contract.path.parent / DERIVED_FILE).is_file():
        return {}
    tables: dict[str, Derive] = load_code(contract.path.parent, DERIVED_FILE).DERIVED
    return tables
