"""陽性率 checked against its parts: the table the hand-written check in checks.json validates."""

from typing import Any

import pandas as pd

from transforms.connect.derived import Derive, DerivedContext


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


DERIVED: dict[str, Derive] = {"positive_rate": positive_rate}
