"""The published rows summed back to the inputs they were built from: the tables checks.json validates.

Computed here from the raw inputs, not with transform.py, so a mistake there cannot hide itself.
"""

from typing import Any

import pandas as pd

from transforms.connect.derived import Derive, DerivedContext

CODE = "全国地方公共団体コード"


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype(object).where(values != "", None)).astype("float64")


def _published(curated: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    keys = {"年度": curated["年度"].astype("int64"), CODE: curated[CODE].astype(object)}
    return pd.DataFrame(keys | {column: curated[column].astype("float64") for column in columns})


def visitors_by_year(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Per 年度 × 市町: the published 入込客数 and 調査月数 beside the sum and count of the monthly input rows.

    An outer join over every 市町-year with a surveyed month, so a row missing on either side shows as
    an empty value, never as a silent pass.
    """
    visitors = context.inputs[params["visitors_input"]]
    year_month = visitors["年月"].astype(str)
    monthly = pd.DataFrame(
        {
            "年度": year_month.str[:4].astype("int64") - (year_month.str[5:7].astype("int64") <= 3),
            CODE: visitors[CODE].astype(object),
            "入込客数": _numbers(visitors["入込客数"]),
        }
    )
    sums = monthly.groupby(["年度", CODE])["入込客数"].agg(月別の合計="sum", 調査した月の数="count").reset_index()
    sums = sums[sums["調査した月の数"] > 0]
    joined = _published(curated, ["入込客数", "調査月数"]).merge(sums, on=["年度", CODE], how="outer", sort=True)
    return joined[["年度", CODE, "入込客数", "月別の合計", "調査月数", "調査した月の数"]].astype(
        {"調査した月の数": "float64"}
    )


def population_in_month(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Each published row's 推計人口 beside the input's 人口総数 of that 市町 on the 1st of params.month in its 年度."""
    population = context.inputs[params["population_input"]]
    census = pd.DataFrame(
        {
            "基準年月": population["年月"].astype(object),
            CODE: population[CODE].astype(object),
            "その月の人口総数": _numbers(population["人口総数"]),
        }
    )
    published = _published(curated, ["推計人口"])
    published.insert(2, "基準年月", [f"{year}-{int(params['month']):02d}" for year in published["年度"]])
    return published.merge(census, on=["基準年月", CODE], how="left")


def per_resident(curated: pd.DataFrame, params: dict[str, Any], context: DerivedContext) -> pd.DataFrame:
    """Each row's published 住民一人当たり入込客数 beside 入込客数 ÷ 推計人口 and their absolute difference (差)."""
    published = _published(curated, ["入込客数", "推計人口", "住民一人当たり入込客数"])
    computed = published["入込客数"] / published["推計人口"].where(published["推計人口"] > 0)
    return published.assign(
        **{"入込客数÷推計人口": computed, "差": (published["住民一人当たり入込客数"] - computed).abs()}
    )


DERIVED: dict[str, Derive] = {
    "visitors_by_year": visitors_by_year,
    "population_in_month": population_in_month,
    "per_resident": per_resident,
}
