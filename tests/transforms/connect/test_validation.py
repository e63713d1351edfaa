"""Great Expectations over curated tables: valid fixtures pass; each hand-written expectation has a fixture that breaks it."""

import pandas as pd
import pytest

from tests.transforms.connect.conftest import csf_rows, raw_table, visitor_rows
from transforms.connect.builders import transform_of
from transforms.connect.derived import DerivedContext
from transforms.connect.suites import load_suite
from transforms.connect.tables import curated_dtypes
from transforms.connect.validation import ValidationResult, validate


def built_table(contracts, municipalities, dataset: str, inputs: dict[str, pd.DataFrame]):
    contract = contracts[dataset]
    built = transform_of(contract)(contract, inputs, municipalities)
    return curated_dtypes(built.table, contract), built.source_rows


def run(contracts, municipalities, dataset, table, inputs, source_rows=None) -> ValidationResult:
    return validate(
        table,
        load_suite(contracts[dataset], municipalities),
        DerivedContext(inputs, contracts, municipalities),
        source_rows,
    )


def failed_labels(result: ValidationResult) -> set[str]:
    return {outcome.label_ja for outcome in result.failed}


@pytest.fixture
def csf_inputs():
    return {"csf-wild-boar": raw_table("csf-wild-boar", csf_rows())}


@pytest.fixture
def visitor_inputs():
    return {"tourist-visitors": raw_table("tourist-visitors", visitor_rows())}


@pytest.mark.parametrize("dataset", ["csf-wild-boar", "csf-wild-boar-monthly"])
def test_valid_csf_tables_pass_every_expectation(contracts, municipalities, csf_inputs, dataset) -> None:
    table, rows = built_table(contracts, municipalities, dataset, csf_inputs)
    result = run(contracts, municipalities, dataset, table, csf_inputs, rows)

    assert result.success, [(o.label_en, o.observed, o.examples, o.error) for o in result.failed]
    assert len(result.expectations) == len(load_suite(contracts[dataset], municipalities)["expectations"])
    assert [o.index for o in result.expectations] == list(range(len(result.expectations)))


@pytest.mark.parametrize("dataset", ["tourist-visitors-monthly", "tourist-visitors-by-region"])
def test_valid_visitor_tables_pass_every_expectation(contracts, municipalities, visitor_inputs, dataset) -> None:
    table, rows = built_table(contracts, municipalities, dataset, visitor_inputs)
    result = run(contracts, municipalities, dataset, table, visitor_inputs, rows)

    assert result.success, [(o.label_en, o.observed, o.examples, o.error) for o in result.failed]


def test_a_code_outside_mie_fails_with_the_departments_row(contracts, municipalities, csf_inputs) -> None:
    table, rows = built_table(contracts, municipalities, "csf-wild-boar", csf_inputs)
    table.loc[3, "全国地方公共団体コード"] = "231002"
    result = run(contracts, municipalities, "csf-wild-boar", table, csf_inputs, rows)

    (failed,) = result.failed
    assert failed.label_ja == "「全国地方公共団体コード」が三重県・県内市町のコード"
    assert (failed.unexpected_count, failed.examples, failed.source_rows) == (1, ["231002"], [5])


def test_a_test_date_before_capture_fails(contracts, municipalities, csf_inputs) -> None:
    table, rows = built_table(contracts, municipalities, "csf-wild-boar", csf_inputs)
    table.loc[0, "検査年月日"] = "2024-03-31"
    result = run(contracts, municipalities, "csf-wild-boar", table, csf_inputs, rows)

    assert failed_labels(result) == {"検査年月日が捕獲年月日より前でない"}
    assert result.failed[0].source_rows == [2]


def monthly(contracts, municipalities, csf_inputs, **changes):
    table, _ = built_table(contracts, municipalities, "csf-wild-boar-monthly", csf_inputs)
    for column, value in changes.items():
        table[column] = table[column].astype(table[column].dtype)
        table.loc[0, column] = value
    return run(contracts, municipalities, "csf-wild-boar-monthly", table, csf_inputs)


def test_more_positives_than_tests_fails(contracts, municipalities, csf_inputs) -> None:
    result = monthly(contracts, municipalities, csf_inputs, 陽性頭数=4, 陽性率=1.3333)
    assert "陽性頭数が検査頭数以下" in failed_labels(result)
    assert "陽性率が0以上1以下" in failed_labels(result)


def test_a_rate_that_is_not_positives_over_tests_fails(contracts, municipalities, csf_inputs) -> None:
    result = monthly(contracts, municipalities, csf_inputs, 陽性率=0.5)
    assert failed_labels(result) == {"陽性率が陽性頭数÷検査頭数と等しい（小数第4位までの丸め）"}
    (failed,) = result.failed
    assert failed.batch == "positive_rate" and failed.unexpected_count == 1


def test_a_rate_without_tests_fails(contracts, municipalities, csf_inputs) -> None:
    result = monthly(contracts, municipalities, csf_inputs, 検査頭数=0, 陽性頭数=0, 陽性率=0.0)
    assert failed_labels(result) == {"陽性率が計算できる（検査頭数が1以上）"}


def by_region(contracts, municipalities, visitor_inputs, region: str, column: str, delta: int) -> ValidationResult:
    table, _ = built_table(contracts, municipalities, "tourist-visitors-by-region", visitor_inputs)
    row = table.index[(table["年月"] == "2024-04") & (table["地域"] == region)][0]
    table.loc[row, column] += delta
    return run(contracts, municipalities, "tourist-visitors-by-region", table, visitor_inputs)


def test_a_region_total_that_is_not_the_sum_of_its_municipalities_fails(
    contracts, municipalities, visitor_inputs
) -> None:
    # 中南勢 and 県計 both one more: the prefecture still equals its regions, not the 市町.
    table, _ = built_table(contracts, municipalities, "tourist-visitors-by-region", visitor_inputs)
    april = table["年月"] == "2024-04"
    table.loc[april & table["地域"].isin(["中南勢", "県計"]), "入込客数"] += 1
    result = run(contracts, municipalities, "tourist-visitors-by-region", table, visitor_inputs)

    assert failed_labels(result) == {
        "地域の入込客数が、市町別・月別データのその地域の市町の合計と等しい",
        "県計が、市町別・月別データの全市町の合計と等しい",
    }
    region_check = next(o for o in result.failed if o.batch == "region_totals")
    assert region_check.unexpected_count == 1 and region_check.examples == [[151.0, 150.0]]


def test_a_prefecture_total_that_is_not_the_sum_fails(contracts, municipalities, visitor_inputs) -> None:
    result = by_region(contracts, municipalities, visitor_inputs, "県計", "入込客数", -10)
    assert failed_labels(result) == {"県計が、市町別・月別データの全市町の合計と等しい", "県計が5地域の合計と等しい"}


def test_reporting_counts_that_disagree_with_the_municipal_data_fail(contracts, municipalities, visitor_inputs) -> None:
    assert failed_labels(by_region(contracts, municipalities, visitor_inputs, "北勢", "報告市町数", 1)) == {
        "地域の報告市町数が、市町別・月別データで報告のあった市町の数と等しい"
    }
    assert failed_labels(by_region(contracts, municipalities, visitor_inputs, "県計", "報告市町数", 1)) == {
        "県計の報告市町数が、市町別・月別データで報告のあった市町の数と等しい"
    }


def test_a_region_missing_from_the_published_table_fails(contracts, municipalities, visitor_inputs) -> None:
    table, _ = built_table(contracts, municipalities, "tourist-visitors-by-region", visitor_inputs)
    table = table[~((table["年月"] == "2024-04") & (table["地域"] == "北勢"))].reset_index(drop=True)
    result = run(contracts, municipalities, "tourist-visitors-by-region", table, visitor_inputs)

    assert "地域の入込客数が、市町別・月別データのその地域の市町の合計と等しい" in failed_labels(result)
    assert "県計が5地域の合計と等しい" in failed_labels(result)


def test_a_rate_rounded_from_an_exact_half_passes(contracts, municipalities, csf_inputs) -> None:
    # 1/32 = 0.03125 rounds to 0.0312: off by exactly half a unit, which floats make a hair more.
    result = monthly(contracts, municipalities, csf_inputs, 検査頭数=32, 陽性頭数=1, 陽性率=round(1 / 32, 4))
    assert failed_labels(result) == set()
