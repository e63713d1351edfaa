"""The result every cell parser returns."""

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Parsed:
    """Normalised values and per-cell error codes, both aligned to the input's index.

    values: object dtype; "" for an empty cell, the normalised value for a good cell, and the
        cell exactly as submitted for a bad one (so a message can quote what the department typed).
    errors: object dtype; None where the cell is fine, else a code from transforms.findings.MESSAGES.
    """

    values: pd.Series
    errors: pd.Series
