"""Tables that cross-column and cross-dataset expectations validate, computed by odl, checked by GX.

GX core on pandas has no expectation for "a ratio of two columns" or "these rows sum to that
row of another dataset", so odl computes the comparison as a small table (one row per thing
compared) and the hand-written expectations (expectations/handwritten/) check its columns.
A suite names a derived table in an expectation's meta.batch and its params in
meta.odl.derived_tables.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from transforms.contracts import PublishedContract
from transforms.reference import Municipalities


@dataclass(frozen=True)
class DerivedContext:
    """What a derived table may use besides the curated table: the same inputs the dataset was built from."""

    inputs: dict[str, pd.DataFrame]
    contracts: dict[str, PublishedContract]
    municipalities: Municipalities


Derive = Callable[[pd.DataFrame, dict[str, Any], DerivedContext], pd.DataFrame]


def positive_rate(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Each row's published 陽性率 beside 陽性頭数 ÷ 検査頭数 and their absolute difference (差)."""
    tested = curated["検査頭数"].astype("float64")
    computed = curated["陽性頭数"].astype("float64") / tested.where(tested > 0)
    return pd.DataFrame(
        {
            "年月": curated["年月"].astype(object),
            "全国地方公共団体コード": curated["全国地方公共団体コード"].astype(object),
            "陽性率": curated["陽性率"].astype("float64"),
            "陽性頭数÷検査頭数": computed,
            "差": (curated["陽性率"].astype("float64") - computed).abs(),
        }
    )


def _municipal_visitors(params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """The 市町 dataset (params.municipal_dataset) as built from the same inputs, visitors as numbers."""
    from transforms.connect.builders import TRANSFORMS
    from transforms.connect.tables import curated_dtypes

    contract = context.contracts[params["municipal_dataset"]]
    built = TRANSFORMS[contract.transform](contract, context.inputs, context.municipalities)
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


DERIVED: dict[str, Derive] = {
    "positive_rate": positive_rate,
    "region_totals": region_totals,
    "prefecture_totals": prefecture_totals,
}
