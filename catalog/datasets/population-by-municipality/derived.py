"""人口総数 against 男 + 女, and each month's 市町 against the reference: the tables checks.json validates."""

from typing import Any

import pandas as pd

from transforms.connect.derived import Derive, DerivedContext


def sexes(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Each row's published 人口総数 beside 男 + 女."""
    return pd.DataFrame(
        {
            "年月": curated["年月"].astype(object),
            "全国地方公共団体コード": curated["全国地方公共団体コード"].astype(object),
            "人口総数": curated["人口総数"].astype("float64"),
            "男と女の合計": curated["男"].astype("float64") + curated["女"].astype("float64"),
        }
    )


def municipalities_per_month(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Per 年月: how many of Mie's 市町 have a row, beside how many Mie has."""
    codes = curated["全国地方公共団体コード"].astype(object)
    mie = codes.isin(context.municipalities.codes)
    counts = codes[mie].groupby(curated["年月"].astype(object)[mie]).nunique().rename("市町の数").reset_index()
    return counts.assign(三重県の市町の数=len(context.municipalities.codes)).astype(
        {"市町の数": "float64", "三重県の市町の数": "float64"}
    )


DERIVED: dict[str, Derive] = {"sexes": sexes, "municipalities_per_month": municipalities_per_month}
