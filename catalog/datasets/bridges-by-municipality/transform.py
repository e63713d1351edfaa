"""道路橋の健全性（市町別・判定区分別）: the bridges counted per 市町 × 判定区分, with their total length."""

import pandas as pd

from transforms.connect.builders import Built, single_input, with_municipality
from transforms.connect.joins import join_names
from transforms.contracts import PublishedContract
from transforms.reference import Municipalities
from transforms.store import SOURCE_ROW_COLUMN

NAME_COLUMN, GRADE_COLUMN, LENGTH_COLUMN = "所在地", "判定区分", "橋長"


def metres(values: pd.Series) -> pd.Series:
    """The input's normalised decimals as numbers, NaN where empty."""
    return pd.to_numeric(values.astype(object).where(values != "", None), errors="coerce").astype("float64")


def build(contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities) -> Built:
    """Every 市町 with at least one bridge, with a row for each 判定区分 in the contract's order (0 where none)."""
    name, raw = single_input(contract, inputs)
    codes, quality = join_names(raw[NAME_COLUMN], municipalities, name, NAME_COLUMN, raw[SOURCE_ROW_COLUMN])
    joined = (codes != "").to_numpy(dtype=bool)
    bridges = pd.DataFrame(
        {
            "全国地方公共団体コード": codes.to_numpy(),
            GRADE_COLUMN: raw[GRADE_COLUMN].astype(object).to_numpy(),
            LENGTH_COLUMN: metres(raw[LENGTH_COLUMN]).to_numpy(),
        }
    )[joined]
    grades = list(contract.column(GRADE_COLUMN).choices)
    every = pd.MultiIndex.from_product(
        [sorted(set(bridges["全国地方公共団体コード"])), grades], names=["全国地方公共団体コード", GRADE_COLUMN]
    )
    counts = (
        bridges.groupby(["全国地方公共団体コード", GRADE_COLUMN])[LENGTH_COLUMN]
        .agg(橋梁数="size", 橋長の合計="sum")
        .reindex(every, fill_value=0)
        .reset_index()
    )
    table = with_municipality(counts, counts["全国地方公共団体コード"], municipalities).assign(
        橋梁数=counts["橋梁数"].astype("int64"), 橋長の合計=counts["橋長の合計"].astype("float64").round(2)
    )
    return Built(table.reset_index(drop=True), (quality,))
