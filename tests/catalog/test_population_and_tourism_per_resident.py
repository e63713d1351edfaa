"""population-by-municipality (the statistics office's monthly sheets) and tourism-per-resident (visitors ÷ population).

Store: the layout finds each sheet's month, leaves totals rows out and checks them, and refuses a 市町
whose 男 and 女 do not add up. Connect: per-resident rows sum back to both inputs, and each hand-written
check has a table that breaks it.
"""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import workbook_file
from tests.transforms.connect.conftest import raw_table
from transforms.connect.builders import transform_of
from transforms.connect.derived import DerivedContext
from transforms.connect.run import connect_tables
from transforms.connect.suites import load_suite
from transforms.connect.tables import curated_dtypes
from transforms.connect.validation import ValidationResult, validate
from transforms.contracts import load_code, load_published_contracts, load_source_contracts
from transforms.folders import fixture_path
from transforms.reference import load_municipalities
from transforms.samples import sample_municipalities
from transforms.store import SOURCE_ROW_COLUMN
from transforms.validate import CheckResult, check_file

POPULATION, PER_RESIDENT, VISITORS = "population-by-municipality", "tourism-per-resident", "tourist-visitors"
SOURCES, PUBLISHED = load_source_contracts(), load_published_contracts()
MUNICIPALITIES = load_municipalities()
HEADER: list[object] = ["市町名", "世帯数", "人口総数", "男", "女"]


def check(path: Path, dataset: str = POPULATION) -> CheckResult:
    return check_file(path, SOURCES[dataset], MUNICIPALITIES)


def raw(result: CheckResult) -> pd.DataFrame:
    assert result.valid and result.table is not None, [(f.row, f.column, f.code) for f in result.errors]
    return result.table.reset_index(names=SOURCE_ROW_COLUMN)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's files of both departments, as scripts/make_samples.py writes them."""
    folder = tmp_path_factory.mktemp("samples")
    for dataset in (POPULATION, VISITORS):
        load_code(SOURCES[dataset].path.parent, "sample.py").write_samples(folder, sample_municipalities())
    return folder


# --- store: the statistics office's workbook -------------------------------------------------------------


def test_the_accepted_sample_holds_every_month_of_the_visitor_years_for_every_municipality(samples: Path) -> None:
    table = raw(check(samples / "三重県の推計人口_令和5-6年度.xlsx"))
    months = [f"{year}-{month:02d}" for year in (2023, 2024, 2025) for month in range(1, 13)][3:27]
    assert sorted(table["年月"].unique()) == months  # 2024-01 from the title: its sheet is named 1月
    assert (table.groupby("年月")["全国地方公共団体コード"].nunique() == 29).all()
    counts = table[["人口総数", "男", "女"]].astype("int64")  # "２７３，４５６" and "273,456" read as numbers
    assert (counts["男"] + counts["女"] == counts["人口総数"]).all()
    tsu = table[(table["年月"] == "2024-10") & (table["市町名"] == "津市")]
    assert 260_000 < int(tsu["人口総数"].iloc[0]) < 280_000


def test_the_rejected_sample_names_the_sheet_of_each_mistake_the_layout_finds(samples: Path) -> None:
    name = "三重県の推計人口_令和6年度_差し戻し.xlsx"
    result = check(samples / name)
    by_code = {finding.code: finding for finding in result.errors}
    planted = load_code(SOURCES[POPULATION].path.parent, "sample.py").EXPECTED[name]["errors"]
    assert sorted(by_code) == sorted(planted) and len(result.errors) == len(planted)
    assert by_code["unknown_municipality"].message.startswith("シート「R6.6」：市町名「松坂市」")
    assert by_code["total_mismatch"].message.startswith("シート「R7.1」：合計が合いません：鈴鹿市の人口総数（男＋女）")
    # The 県計 under the mistyped 女 no longer adds up either: a warning, pointing at the same column.
    assert {(w.code, w.column) for w in result.warnings if w.code == "total_mismatch"} == {("total_mismatch", "女")}


def test_a_totals_row_that_disagrees_is_only_a_warning(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["令和6年10月1日現在"],
        HEADER,
        ["県計", 30, 101, 50, 50],
        ["津市", 20, 70, 34, 36],
        ["朝日町", 10, 30, 16, 14],
    ]
    result = check(workbook_file(tmp_path / "推計人口.xlsx", {"Sheet1": rows}))
    assert result.valid and result.rows == 2
    (mismatch,) = [w for w in result.warnings if w.code == "total_mismatch"]
    assert (mismatch.row, mismatch.column) == (3, "人口総数") and "合計の値は 101、各値の合計は 100" in mismatch.message


def test_male_and_female_that_do_not_add_up_to_the_total_are_an_error_on_the_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [["R6.10"], HEADER, ["津　市", 20, 70, 34, 35], ["朝日町", 10, 30, 16, 14]]
    result = check(workbook_file(tmp_path / "推計人口.xlsx", {"R6.10": rows}))
    assert [(f.code, f.row, f.column) for f in result.errors] == [("total_mismatch", 3, "人口総数")]


def test_a_month_column_takes_the_place_of_the_sheet_month(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["基準日", *HEADER],
        ["令和6年10月1日", "津市", 20, 70, 34, 36],
        [dt.datetime(2024, 11, 1), "津市", 20, 69, 34, 35],
        ["R6.12", "津市", 20, 69, 34, 35],
        ["10月", "朝日町", 10, 30, 16, 14],
    ]
    result = check(workbook_file(tmp_path / "population.xlsx", {"Sheet1": rows}))
    assert [(f.code, f.row, f.column) for f in result.errors] == [("invalid_date", 5, "年月")]
    assert result.table is not None and list(result.table["年月"]) == ["2024-10", "2024-11", "2024-12", "10月"]


def test_a_sheet_that_names_no_month_is_refused(tmp_path: Path) -> None:
    rows: list[list[object]] = [["三重県の推計人口"], HEADER, ["津市", 20, 70, 34, 36]]
    result = check(workbook_file(tmp_path / "推計人口.xlsx", {"Sheet1": rows, "R6.10": rows}))
    assert [(f.code, f.column) for f in result.errors] == [("missing_required_column", "年月")]
    assert result.errors[0].message.startswith("シート「Sheet1」：")
    assert result.rows == 1  # the sheet that does name its month is read


# --- connect: population-by-municipality -----------------------------------------------------------------


def population_fixture() -> pd.DataFrame:
    fixture = fixture_path(SOURCES[POPULATION].path.parent)
    assert fixture is not None
    return raw(check(fixture))


def built(dataset: str, inputs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    contract = PUBLISHED[dataset]
    return curated_dtypes(transform_of(contract)(contract, inputs, MUNICIPALITIES).table, contract)


def failed(dataset: str, table: pd.DataFrame, inputs: dict[str, pd.DataFrame]) -> set[str]:
    suite = load_suite(PUBLISHED[dataset], MUNICIPALITIES)
    result: ValidationResult = validate(table, suite, DerivedContext(inputs, PUBLISHED, MUNICIPALITIES))
    return {outcome.label_ja for outcome in result.failed}


def test_population_checks_fail_on_sexes_that_do_not_add_up_and_on_a_missing_municipality() -> None:
    inputs = {POPULATION: population_fixture()}
    table = built(POPULATION, inputs)
    assert failed(POPULATION, table, inputs) == set()
    table.loc[0, "男"] += 1
    table.loc[1, "世帯数"] = table.loc[1, "人口総数"] + 1
    dropped = table.drop(index=5).reset_index(drop=True)
    assert failed(POPULATION, dropped, inputs) == {
        "人口総数が男と女の合計と等しい",
        "世帯数が人口総数以下（1世帯に1人以上）",
        "毎月、三重県のすべての市町の行がある",
    }


# --- connect: tourism-per-resident -----------------------------------------------------------------------

TSU, ASAHI = "242012", "243434"


def per_resident_inputs(population_months: tuple[str, ...] = ("2023-10", "2024-10")) -> dict[str, pd.DataFrame]:
    """津市: 50 in 2024-03 (fiscal 2023); 1,000 and not surveyed in 2024-04/05 and 5 in 2025-03 (fiscal 2024).
    朝日町: not surveyed in 2024-04. Population 200 (2023-10) and 201 (2024-10), 250 in 2024-04 to be ignored."""
    names = {TSU: ("津市", "中南勢"), ASAHI: ("朝日町", "北勢")}
    visits = [
        ("2024-03", TSU, "50"),
        ("2024-04", TSU, "1000"),
        ("2024-05", TSU, ""),
        ("2025-03", TSU, "5"),
        ("2024-04", ASAHI, ""),
    ]
    people = {"2023-10": "200", "2024-04": "250", "2024-10": "201"}
    return {
        VISITORS: raw_table(VISITORS, [
            {"年月": month, "全国地方公共団体コード": code, "市町名": names[code][0], "地域": names[code][1], "入込客数": value}
            for month, code, value in visits
        ]),
        POPULATION: raw_table(POPULATION, [
            {"年月": month, "全国地方公共団体コード": code, "市町名": names[code][0], "地域": names[code][1],
             "世帯数": "90", "人口総数": people[month], "男": "100", "女": str(int(people[month]) - 100)}
            for month in ("2024-04", *population_months) for code in (TSU, ASAHI)
        ]),
    }  # fmt: skip


def test_per_resident_sums_each_fiscal_year_and_divides_by_the_october_population() -> None:
    table = built(PER_RESIDENT, per_resident_inputs())
    assert table.astype(object).to_dict("records") == [
        {"年度": 2023, "全国地方公共団体コード": TSU, "市町名": "津市", "地域": "中南勢", "入込客数": 50,
         "調査月数": 1, "推計人口": 200, "住民一人当たり入込客数": 0.25},
        {"年度": 2024, "全国地方公共団体コード": TSU, "市町名": "津市", "地域": "中南勢", "入込客数": 1005,
         "調査月数": 2, "推計人口": 201, "住民一人当たり入込客数": 5.0},
    ]  # fmt: skip


def test_per_resident_rounds_half_up() -> None:
    inputs = per_resident_inputs()
    inputs[POPULATION].loc[inputs[POPULATION]["年月"] == "2024-10", "人口総数"] = "200"  # 1005 ÷ 200 = 5.025
    assert list(built(PER_RESIDENT, inputs)["住民一人当たり入込客数"]) == [0.25, 5.03]


def test_a_fiscal_year_without_its_october_population_blocks_the_dataset() -> None:
    inputs = per_resident_inputs(population_months=("2023-10",))
    contract = PUBLISHED[PER_RESIDENT]
    connected = connect_tables(contract, inputs, MUNICIPALITIES, PUBLISHED, load_suite(contract, MUNICIPALITIES))
    assert connected.blocked and connected.validation is None
    (problem,) = [p for join in connected.joins for p in join.problems()]
    assert "「2024年度 津市」2行" in problem["ja"]


@pytest.mark.parametrize(
    ("change", "label"),
    [
        ({"入込客数": 1}, "年度の入込客数が、月別の観光入込客数（tourist-visitors）のその年度・市町の合計と等しい"),
        ({"調査月数": 1}, "調査月数が、月別の観光入込客数で値のある月の数と等しい"),
        (
            {"推計人口": 1},
            "推計人口が、推計人口データ（population-by-municipality）のその年度10月1日現在の人口総数と等しい",
        ),
        (
            {"住民一人当たり入込客数": 0.01},
            "住民一人当たり入込客数が入込客数÷推計人口と等しい（小数第2位までの四捨五入）",
        ),
    ],
)
def test_each_sum_back_check_fails_when_its_column_is_off(change: dict[str, float], label: str) -> None:
    inputs = per_resident_inputs()
    table = built(PER_RESIDENT, inputs)
    assert failed(PER_RESIDENT, table, inputs) == set()
    for column, delta in change.items():
        table.loc[1, column] += delta
    assert label in failed(PER_RESIDENT, table, inputs)


def test_a_municipality_year_missing_from_the_published_table_fails() -> None:
    inputs = per_resident_inputs()
    table = built(PER_RESIDENT, inputs).iloc[1:].reset_index(drop=True)
    assert "年度の入込客数が、月別の観光入込客数（tourist-visitors）のその年度・市町の合計と等しい" in failed(
        PER_RESIDENT, table, inputs
    )


def test_per_resident_built_from_the_demo_samples_sums_back_to_both_files(samples: Path) -> None:
    visitors = raw(check(samples / "観光入込客数_令和5-6年度.xlsx", VISITORS))
    population = raw(check(samples / "三重県の推計人口_令和5-6年度.xlsx"))
    contract = PUBLISHED[PER_RESIDENT]
    inputs = {VISITORS: visitors, POPULATION: population}
    connected = connect_tables(contract, inputs, MUNICIPALITIES, PUBLISHED, load_suite(contract, MUNICIPALITIES))
    assert connected.validation is not None
    assert connected.validation.success, connected.validation.failed
    table = connected.table
    assert len(table) == 2 * 29 and sorted(table["年度"].unique()) == [2023, 2024]
    counted = pd.to_numeric(visitors["入込客数"].where(visitors["入込客数"] != ""))
    assert table["入込客数"].sum() == counted.sum() and table["調査月数"].sum() == counted.notna().sum()
    october = population[population["年月"].isin(["2023-10", "2024-10"])]
    assert table["推計人口"].sum() == october["人口総数"].astype("int64").sum()
