"""The connect transforms, one small named function per published contract's `transform:`.

Each takes the contract (for its params and columns), the latest accepted raw table of every
input (keyed by input dataset) and the municipalities, and returns the table with the contract's
columns plus how its joins went. Typing and column order are applied afterwards (tables.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from transforms.connect.joins import JoinQuality, join_codes, join_names
from transforms.contracts import PublishedContract
from transforms.reference import Municipalities
from transforms.store import SOURCE_ROW_COLUMN

PREFECTURE_TOTAL = "県計"  # the by-region rows that total every 市町


@dataclass(frozen=True)
class Built:
    table: pd.DataFrame  # at least the contract's columns
    joins: tuple[JoinQuality, ...]
    source_rows: pd.Series | None = None  # the department's row of each output row, where rows map one to one


Transform = Callable[[PublishedContract, dict[str, pd.DataFrame], Municipalities], Built]


def _single(contract: PublishedContract, inputs: dict[str, pd.DataFrame]) -> tuple[str, pd.DataFrame]:
    (name,) = contract.inputs
    return name, inputs[name]


def _with_municipality(table: pd.DataFrame, codes: pd.Series, municipalities: Municipalities) -> pd.DataFrame:
    return table.assign(
        全国地方公共団体コード=codes.to_numpy(),
        市町名=municipalities.attribute(codes, "name").to_numpy(),
        地域=municipalities.attribute(codes, "region").to_numpy(),
    )


def enrich_municipality(
    contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities
) -> Built:
    """The department's rows as they are, plus 市町名 and 地域 of the code in params.code_column.

    With params.prefecture_allowed, rows 三重県 itself registered (240001) join with 市町名 and 地域 empty.
    """
    name, raw = _single(contract, inputs)
    column = contract.params["code_column"]
    codes = raw[column].astype(object)
    prefecture_allowed = bool(contract.params.get("prefecture_allowed", False))
    quality = join_codes(codes, municipalities, name, column, raw[SOURCE_ROW_COLUMN], prefecture_allowed)
    table = raw.assign(
        市町名=municipalities.attribute(codes, "name").to_numpy(),
        地域=municipalities.attribute(codes, "region").to_numpy(),
    )
    return Built(table, (quality,), raw[SOURCE_ROW_COLUMN])


def resolve_municipality_names(
    contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities
) -> Built:
    """Records whose params.name_column (a 市町名) is resolved to its code, canonical name and 地域."""
    name, raw = _single(contract, inputs)
    column = contract.params["name_column"]
    codes, quality = join_names(raw[column], municipalities, name, column, raw[SOURCE_ROW_COLUMN])
    return Built(_with_municipality(raw, codes, municipalities), (quality,), raw[SOURCE_ROW_COLUMN])


def tourist_visitors_monthly(
    contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities
) -> Built:
    """年月 × 市町, sorted by key; 市町名 and 地域 taken again from the reference by code."""
    name, raw = _single(contract, inputs)
    codes = raw["全国地方公共団体コード"].astype(object)
    quality = join_codes(codes, municipalities, name, "全国地方公共団体コード", raw[SOURCE_ROW_COLUMN])
    table = _with_municipality(raw, codes, municipalities).sort_values(
        ["年月", "全国地方公共団体コード"], kind="stable"
    )
    return Built(table.reset_index(drop=True), (quality,), table[SOURCE_ROW_COLUMN].reset_index(drop=True))


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


def tourist_visitors_by_region(
    contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities
) -> Built:
    """地域 × 年月 totals of the 市町 that reported, plus 県計, in the order of the contract's 地域 choices."""
    monthly = tourist_visitors_monthly(contract, inputs, municipalities)
    regions = list(contract.column("地域").choices)
    return Built(visitors_by_region(monthly.table, regions), monthly.joins)


def csf_wild_boar_monthly(
    contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities
) -> Built:
    """Samples counted by month of capture and 市町: 検査頭数, 陽性頭数 and 陽性率 (rounded to 4 places)."""
    name, raw = _single(contract, inputs)
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
    table = _with_municipality(counts, counts["全国地方公共団体コード"], municipalities).assign(
        検査頭数=counts["検査"].astype("int64"),
        陽性頭数=counts["陽性"].astype("int64"),
        陽性率=(counts["陽性"] / counts["検査"]).round(4),
    )
    return Built(table.reset_index(drop=True), (quality,))


TRANSFORMS: dict[str, Transform] = {
    "enrich_municipality": enrich_municipality,
    "resolve_municipality_names": resolve_municipality_names,
    "tourist_visitors_monthly": tourist_visitors_monthly,
    "tourist_visitors_by_region": tourist_visitors_by_region,
    "csf_wild_boar_monthly": csf_wild_boar_monthly,
}
