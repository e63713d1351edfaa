"""観光入込客数（地域別・月別）: the 市町 rows of tourist-visitors totalled per 地域, plus 県計."""

import pandas as pd

from transforms.connect.builders import Built, single_input
from transforms.connect.joins import join_codes
from transforms.contracts import PublishedContract
from transforms.reference import Municipalities
from transforms.store import SOURCE_ROW_COLUMN

PREFECTURE_TOTAL = "県計"  # the rows that total every 市町


def visitors_by_region(monthly: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """Sum and count of reporting 市町 per 年月 × 地域, and per 年月 as 県計; months nobody reported are left out.

    `monthly` has 年月, 地域 and 入込客数 (numbers, NaN where not surveyed); rows come out by 年月, then `regions`.
    """
    visitors = pd.to_numeric(monthly["入込客数"].astype(object).where(monthly["入込客数"] != "", None))
    frame = pd.DataFrame({"年月": monthly["年月"].to_numpy(), "地域": monthly["地域"].to_numpy(), "入込客数": visitors})
    by_region = frame.groupby(["年月", "地域"], sort=False)["入込客数"].agg(["sum", "count"]).reset_index()
    total = frame.groupby("年月", sort=False)["入込客数"].agg(["sum", "count"]).reset_index()
    total.insert(1, "地域", PREFECTURE_TOTAL)
    table = pd.concat([by_region, total], ignore_index=True)
    table = table[table["count"] > 0].rename(columns={"sum": "入込客数", "count": "報告市町数"})
    table["地域"] = pd.Categorical(table["地域"], categories=regions)
    table = table.sort_values(["年月", "地域"], kind="stable")
    return table.assign(地域=table["地域"].astype(object)).reset_index(drop=True)


def build(contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities) -> Built:
    """In the order of the contract's 地域 choices, each 市町's 地域 taken from the reference by its code."""
    name, raw = single_input(contract, inputs)
    codes = raw["全国地方公共団体コード"].astype(object)
    quality = join_codes(codes, municipalities, name, "全国地方公共団体コード", raw[SOURCE_ROW_COLUMN])
    monthly = raw.assign(地域=municipalities.attribute(codes, "region").to_numpy())
    return Built(visitors_by_region(monthly, list(contract.column("地域").choices)), (quality,))
