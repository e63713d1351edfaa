"""豚熱 検査結果（市町別・月別）: samples counted by month of capture and 市町."""

import pandas as pd

from transforms.connect.builders import Built, single_input, with_municipality
from transforms.connect.joins import join_names
from transforms.contracts import PublishedContract
from transforms.reference import Municipalities
from transforms.store import SOURCE_ROW_COLUMN


def build(contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities) -> Built:
    """検査頭数, 陽性頭数 and 陽性率 (rounded to 4 places) per 年月 × 市町 with at least one sample tested."""
    name, raw = single_input(contract, inputs)
    codes, quality = join_names(raw["市町名"], municipalities, name, "市町名", raw[SOURCE_ROW_COLUMN])
    joined = codes != ""
    frame = pd.DataFrame(
        {
            "年月": raw["捕獲年月日"].astype(str).str[:7].to_numpy(),
            "全国地方公共団体コード": codes.to_numpy(),
            "検査": raw["検査結果"].isin(["陽性", "陰性"]).to_numpy(),
            "陽性": (raw["検査結果"] == "陽性").to_numpy(),
        }
    )[joined.to_numpy(dtype=bool)]
    counts = frame.groupby(["年月", "全国地方公共団体コード"])[["検査", "陽性"]].sum().reset_index()
    counts = counts[counts["検査"] > 0]
    table = with_municipality(counts, counts["全国地方公共団体コード"], municipalities).assign(
        検査頭数=counts["検査"].astype("int64"),
        陽性頭数=counts["陽性"].astype("int64"),
        陽性率=(counts["陽性"] / counts["検査"]).round(4),
    )
    return Built(table.reset_index(drop=True), (quality,))
