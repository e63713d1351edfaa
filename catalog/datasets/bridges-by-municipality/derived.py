"""The counts checked against the bridges they were made from: the tables the checks in checks.json validate."""

from typing import Any

import pandas as pd

from transforms.connect.derived import Derive, DerivedContext


def _input_bridges(params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Each bridge of the input (params.input) with its 市町's code, looked up here rather than by the transform."""
    raw = context.inputs[params["input"]]
    codes, _ = context.municipalities.resolve_names(raw["所在地"].astype(object))
    lengths = raw["橋長"].astype(object)
    return pd.DataFrame(
        {
            "全国地方公共団体コード": codes.to_numpy(),
            "橋長": pd.to_numeric(lengths.where(lengths != "", None), errors="coerce").astype("float64").to_numpy(),
        }
    )


def municipality_totals(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Per 市町: the published counts and lengths summed over the 判定区分 beside the input's bridges there.

    An outer join, so a 市町 missing on either side shows as an empty value, never as a silent pass.
    """
    bridges = _input_bridges(params, context)
    counted = bridges.groupby("全国地方公共団体コード")["橋長"].agg(入力の橋梁数="size", 入力の橋長の合計="sum")
    published = curated.assign(
        橋梁数=curated["橋梁数"].astype("float64"), 橋長の合計=curated["橋長の合計"].astype("float64")
    )
    sums = published.groupby("全国地方公共団体コード")[["橋梁数", "橋長の合計"]].sum()
    joined = sums.join(counted, how="outer").reset_index()
    return pd.DataFrame(
        {
            "全国地方公共団体コード": joined["全国地方公共団体コード"].astype(object),
            "橋梁数": joined["橋梁数"],
            "入力の橋梁数": joined["入力の橋梁数"].astype("float64"),
            "橋長の差": (joined["橋長の合計"] - joined["入力の橋長の合計"]).abs(),
        }
    )


def bridge_total(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """One row: every published count summed beside the number of bridges in the input."""
    total = float(curated["橋梁数"].astype("float64").sum())
    return pd.DataFrame({"橋梁数の合計": [total], "入力の橋梁数": [float(len(context.inputs[params["input"]]))]})


DERIVED: dict[str, Derive] = {"municipality_totals": municipality_totals, "bridge_total": bridge_total}
