"""住民一人当たり観光入込客数: each 市町's visitors summed per fiscal year, over its population on the 1st of October.

Two inputs from two departments, joined by 全国地方公共団体コード: the monthly visitors
(params.visitors_input) and the monthly population estimate (params.population_input), of which
the month params.population_month of each fiscal year is taken, the statistics convention. A
市町-year with visitors but no population that month blocks the dataset, as any unjoined key does.
"""

import numpy as np
import pandas as pd

from transforms.connect.builders import Built, with_municipality
from transforms.connect.joins import MATCHED, UNMATCHED, join_codes, reconcile
from transforms.contracts import PublishedContract
from transforms.reference import Municipalities
from transforms.store import SOURCE_ROW_COLUMN

CODE = "全国地方公共団体コード"
DECIMALS = 2  # 住民一人当たり入込客数, rounded half up


def fiscal_years(year_months: pd.Series) -> pd.Series:
    """The fiscal year (April start) of each YYYY-MM: 2024-04 … 2025-03 → 2024."""
    text = year_months.astype(str)
    years = text.str[:4].astype("int64")
    return years - (text.str[5:7].astype("int64") < 4)


def numbers(values: pd.Series) -> pd.Series:
    """A raw integer column ("" where empty) as floats, NaN where empty."""
    return pd.to_numeric(values.astype(object).where(values != "", None))


def per_resident(visitors: pd.Series, population: pd.Series) -> pd.Series:
    """visitors ÷ population rounded half up to DECIMALS places, on whole numbers: the float 1005 ÷ 200 is 5.02499…"""
    scale = 10**DECIMALS
    units = (visitors * 2 * scale + population) // (2 * population)
    return units / scale


def build(contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities) -> Built:
    """Per 年度 × 市町 with at least one surveyed month: 入込客数, 調査月数, 推計人口 and their ratio, by key."""
    visitors_input, population_input = contract.params["visitors_input"], contract.params["population_input"]
    month = int(contract.params["population_month"])
    visitors, population = inputs[visitors_input], inputs[population_input]
    code_join = join_codes(
        visitors[CODE].astype(object), municipalities, visitors_input, CODE, visitors[SOURCE_ROW_COLUMN]
    )

    surveyed = visitors[visitors["入込客数"] != ""]
    years = fiscal_years(surveyed["年月"])
    rows = pd.DataFrame(
        {
            "年度": years.to_numpy(),
            CODE: surveyed[CODE].astype(object).to_numpy(),
            "入込客数": numbers(surveyed["入込客数"]).to_numpy(),
            "基準年月": [f"{year}-{month:02d}" for year in years],
            SOURCE_ROW_COLUMN: surveyed[SOURCE_ROW_COLUMN].to_numpy(),
        }
    )
    census = pd.DataFrame(
        {
            "基準年月": population["年月"].astype(object).to_numpy(),
            CODE: population[CODE].astype(object).to_numpy(),
            "推計人口": numbers(population["人口総数"]).to_numpy(),
        }
    )
    rows = rows.merge(census, on=["基準年月", CODE], how="left", validate="many_to_one")
    found = rows["推計人口"].notna().to_numpy()
    names = municipalities.attribute(rows[CODE], "name")
    population_join = reconcile(
        visitors_input,
        "年月",
        f"{population_input}（各年度{month}月1日現在の推計人口）",
        rows["年度"].astype(str) + "年度 " + names.where(names != "", rows[CODE]),
        np.where(found, MATCHED, UNMATCHED),
        rows[SOURCE_ROW_COLUMN],
    )

    yearly = (
        rows[found]
        .groupby(["年度", CODE], sort=True)
        .agg(入込客数=("入込客数", "sum"), 調査月数=("入込客数", "count"), 推計人口=("推計人口", "first"))
        .reset_index()
    )
    visitors_sum, people = yearly["入込客数"].astype("int64"), yearly["推計人口"].astype("int64")
    table = with_municipality(yearly, yearly[CODE], municipalities).assign(
        入込客数=visitors_sum,
        調査月数=yearly["調査月数"].astype("int64"),
        推計人口=people,
        # No population, no ratio: left empty for the suite to refuse.
        住民一人当たり入込客数=per_resident(visitors_sum, people.where(people > 0)).astype("float64"),
    )
    return Built(table[contract.column_names], (code_join, population_join))
