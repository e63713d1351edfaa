"""Region and prefecture totals checked against the 市町 dataset built from the same inputs (checks.json)."""

from typing import Any

import pandas as pd

from transforms.connect.builders import transform_of
from transforms.connect.derived import Derive, DerivedContext
from transforms.connect.tables import curated_dtypes


def _municipal_visitors(params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """The 市町 dataset (params.municipal_dataset) as built from the same inputs, visitors as numbers."""
    contract = context.contracts[params["municipal_dataset"]]
    built = transform_of(contract)(contract, context.inputs, context.municipalities)
    municipal = curated_dtypes(built.table, contract)
    return municipal.assign(入込客数=municipal["入込客数"].astype("float64"))


def _published_visitors(curated: pd.DataFrame) -> pd.DataFrame:
    return curated.assign(
        入込客数=curated["入込客数"].astype("float64"), 報告市町数=curated["報告市町数"].astype("float64")
    )


def region_totals(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Per 年月 × 地域 (not 県計): the published total beside the sum of that region's 市町 in the 市町 dataset.

    An outer join, so a region missing on either side shows as an empty value, never as a silent pass.
    """
    municipal = _municipal_visitors(params, context)
    sums = municipal.groupby(["年月", "地域"])["入込客数"].agg(市町の合計="sum", 報告した市町の数="count").reset_index()
    sums = sums[sums["報告した市町の数"] > 0]
    published = _published_visitors(curated)
    published = published[published["地域"] != params["total_label"]]
    joined = published.merge(sums, on=["年月", "地域"], how="outer", sort=True)
    return joined[["年月", "地域", "入込客数", "市町の合計", "報告市町数", "報告した市町の数"]].astype(
        {"報告した市町の数": "float64"}
    )


def prefecture_totals(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Per 年月: the published 県計 beside the sum of every 市町 and the sum of the published regions."""
    municipal = _municipal_visitors(params, context)
    all_municipal = municipal.groupby("年月")["入込客数"].agg(市町の合計="sum", 報告した市町の数="count")
    all_municipal = all_municipal[all_municipal["報告した市町の数"] > 0]
    published = _published_visitors(curated)
    is_total = published["地域"] == params["total_label"]
    totals = (
        published[is_total]
        .set_index("年月")[["入込客数", "報告市町数"]]
        .rename(columns={"入込客数": "県計", "報告市町数": "県計の報告市町数"})
    )
    regions = published[~is_total].groupby("年月")["入込客数"].sum().rename("地域の合計")
    joined = totals.join(all_municipal, how="outer").join(regions, how="left").reset_index()
    return joined[["年月", "県計", "市町の合計", "地域の合計", "県計の報告市町数", "報告した市町の数"]].astype(
        {"報告した市町の数": "float64"}
    )


DERIVED: dict[str, Derive] = {"region_totals": region_totals, "prefecture_totals": prefecture_totals}
