"""三重県の推計人口（月別・市町別）: the long rows the folder's layout made, 年月 × 市町, sorted by key."""

import pandas as pd

from transforms.connect.builders import Built, single_input, with_municipality
from transforms.connect.joins import join_codes
from transforms.contracts import PublishedContract
from transforms.reference import Municipalities
from transforms.store import SOURCE_ROW_COLUMN


def build(contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities) -> Built:
    """市町名 and 地域 are taken again from the reference by code."""
    name, raw = single_input(contract, inputs)
    codes = raw["全国地方公共団体コード"].astype(object)
    quality = join_codes(codes, municipalities, name, "全国地方公共団体コード", raw[SOURCE_ROW_COLUMN])
    table = with_municipality(raw, codes, municipalities).sort_values(["年月", "全国地方公共団体コード"], kind="stable")
    return Built(table.reset_index(drop=True), (quality,), table[SOURCE_ROW_COLUMN].reset_index(drop=True))
