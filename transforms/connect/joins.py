"""Join reconciliation: each key of a join with the reference data is matched, unmatched or ambiguous.

Every connect run keeps the counts and a few examples (with the department's source rows), and any
unmatched or ambiguous key blocks the dataset: nothing half-joined reaches citizens.
"""

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from transforms.connect.messages import message
from transforms.reference import Municipalities

EXAMPLE_KEYS = 10  # the most frequent failing keys shown per join
SOURCE_ROWS_PER_KEY = 5  # the department's rows shown per failing key
EMPTY_KEY = "（空欄）"

MATCHED, UNMATCHED, AMBIGUOUS = "matched", "unmatched", "ambiguous"


@dataclass(frozen=True)
class KeyExample:
    key: str
    rows: int
    source_rows: tuple[int, ...]  # the rows the department sees in its file


@dataclass(frozen=True)
class JoinQuality:
    input: str  # input dataset
    column: str  # its column holding the key
    reference: str  # what the key is looked up in
    rows: int
    matched_rows: int
    matched_keys: int
    unmatched_rows: int
    unmatched_keys: int
    ambiguous_rows: int
    ambiguous_keys: int
    unmatched: tuple[KeyExample, ...] = ()
    ambiguous: tuple[KeyExample, ...] = ()

    @property
    def blocking(self) -> bool:
        return bool(self.unmatched_rows or self.ambiguous_rows)

    def problems(self) -> list[dict[str, str]]:
        """One message per kind of failing key, for the block reason."""
        found = []
        for code, keys, rows, examples in (
            ("join_unmatched", self.unmatched_keys, self.unmatched_rows, self.unmatched),
            ("join_ambiguous", self.ambiguous_keys, self.ambiguous_rows, self.ambiguous),
        ):
            if rows:
                shown = "、".join(
                    f"「{e.key}」{e.rows}行（元の行 {', '.join(map(str, e.source_rows))}）" for e in examples
                )
                found.append(message(code, input=self.input, column=self.column, keys=keys, rows=rows, examples=shown))
        return found

    def to_dict(self) -> dict[str, Any]:
        """JSON-shaped: lists, not tuples, so a report read back compares equal."""
        examples = {
            kind: [{"key": e.key, "rows": e.rows, "source_rows": list(e.source_rows)} for e in getattr(self, kind)]
            for kind in ("unmatched", "ambiguous")
        }
        return asdict(self) | examples | {"blocking": self.blocking}


def reconcile(
    input: str, column: str, reference: str, keys: pd.Series, status: np.ndarray, source_rows: pd.Series
) -> JoinQuality:
    """Counts and examples from each row's status (MATCHED / UNMATCHED / AMBIGUOUS)."""
    keys = keys.astype(object).where(keys != "", EMPTY_KEY)
    counts = {}
    examples = {}
    for kind in (MATCHED, UNMATCHED, AMBIGUOUS):
        mask = status == kind
        counts[kind] = (int(mask.sum()), int(keys[mask].nunique()))
        examples[kind] = _examples(keys[mask], source_rows[mask]) if kind != MATCHED and mask.any() else ()
    return JoinQuality(
        input=input,
        column=column,
        reference=reference,
        rows=len(keys),
        matched_rows=counts[MATCHED][0],
        matched_keys=counts[MATCHED][1],
        unmatched_rows=counts[UNMATCHED][0],
        unmatched_keys=counts[UNMATCHED][1],
        ambiguous_rows=counts[AMBIGUOUS][0],
        ambiguous_keys=counts[AMBIGUOUS][1],
        unmatched=examples[UNMATCHED],
        ambiguous=examples[AMBIGUOUS],
    )


def _examples(keys: pd.Series, source_rows: pd.Series) -> tuple[KeyExample, ...]:
    """The most frequent failing keys (ties in order of first appearance) with their first source rows."""
    frame = pd.DataFrame({"key": keys.to_numpy(), "row": source_rows.to_numpy()})
    sizes = frame.groupby("key", sort=False).size().sort_values(ascending=False, kind="stable").head(EXAMPLE_KEYS)
    shown = frame[frame["key"].isin(sizes.index)].groupby("key", sort=False).head(SOURCE_ROWS_PER_KEY)
    rows = shown.groupby("key", sort=False)["row"].agg(list)
    return tuple(KeyExample(str(key), int(size), tuple(int(r) for r in rows[key])) for key, size in sizes.items())


def join_codes(
    codes: pd.Series,
    municipalities: Municipalities,
    input: str,
    column: str,
    source_rows: pd.Series,
    prefecture_allowed: bool = False,
) -> JoinQuality:
    """全国地方公共団体コード looked up among Mie's municipalities (codes are unique: never ambiguous).

    prefecture_allowed: 三重県's own code also matches (data the prefecture registered; no 市町 to add).
    """
    known = municipalities.mie_codes if prefecture_allowed else municipalities.codes
    status = np.where(codes.isin(list(known)).to_numpy(dtype=bool), MATCHED, UNMATCHED)
    return reconcile(input, column, "三重県の市町（全国地方公共団体コード）", codes, status, source_rows)


def join_names(
    names: pd.Series, municipalities: Municipalities, input: str, column: str, source_rows: pd.Series
) -> tuple[pd.Series, JoinQuality]:
    """市町名 resolved to codes ("" where not matched) and how the names joined."""
    codes, errors = municipalities.resolve_names(names.astype(object))
    status = np.full(len(names), MATCHED, dtype=object)
    status[(codes == "").to_numpy(dtype=bool)] = UNMATCHED
    status[(errors == "ambiguous_municipality").to_numpy(dtype=bool)] = AMBIGUOUS
    quality = reconcile(input, column, "三重県の市町（市町名）", names, status, source_rows)
    return codes, quality
