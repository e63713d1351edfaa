"""The bridges folder: its layout reads the register's 年度 and 判定区分, and the summary counts every bridge."""

from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from transforms.connect.builders import transform_of
from transforms.contracts import load_code, load_published_contracts, load_source_contracts
from transforms.reference import load_municipalities
from transforms.samples import write_csv
from transforms.store import SOURCE_ROW_COLUMN
from transforms.validate import check_file

FOLDER = Path(__file__).resolve().parents[2] / "catalog" / "datasets" / "bridges"
HEADER = ["管理番号", "橋梁名", "路線名", "所在地", "架設年度", "橋長（m）", "最新点検年度", "判定区分"]


@pytest.fixture(scope="module")
def layout() -> ModuleType:
    return load_code(FOLDER, "layout.py")


@pytest.mark.parametrize(
    ("typed", "year"),
    [
        ("昭和45年度", "1970"),
        ("S45", "1970"),
        ("Ｓ４５", "1970"),
        ("㍼45年", "1970"),
        ("平成元年度", "1989"),
        ("H元", "1989"),
        ("令和元年度", "2019"),
        ("平成31年度", "2019"),  # the same fiscal year, named before the era changed
        ("昭和元年度", "1926"),
        ("1970", "1970"),
        ("１９７０年度", "1970"),
        ("不明", ""),
        ("", ""),
    ],
)
def test_fiscal_years_in_either_calendar_become_the_western_year(layout: ModuleType, typed: str, year: str) -> None:
    assert layout.fiscal_year(typed)[:2] == (year, None)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("平成32年度", "era_year_out_of_range"),
        ("昭和64年度", "era_year_out_of_range"),  # April 1989 is 平成
        ("S0", "era_year_out_of_range"),
        ("昭和40年代", "invalid_fiscal_year"),
        ("0970", "invalid_fiscal_year"),
    ],
)
def test_unreadable_fiscal_years_have_a_code(layout: ModuleType, typed: str, code: str) -> None:
    assert layout.fiscal_year(typed)[:2] == ("", code)


def test_an_era_year_out_of_range_names_the_eras_span(layout: ModuleType) -> None:
    facts = {"era": "平成", "first": "1989-01-08", "last": "2019-04-30"}
    assert layout.fiscal_year("平成32年度") == ("", "era_year_out_of_range", facts)
    assert layout.fiscal_year("令和99年度")[:2] == ("2117", None)  # the current era has no last day


@pytest.mark.parametrize(
    ("typed", "grade"),
    [
        ("Ⅱ", "Ⅱ"),
        ("2", "Ⅱ"),
        ("２", "Ⅱ"),
        ("II", "Ⅱ"),
        ("ⅱ", "Ⅱ"),
        ("Ｉ", "Ⅰ"),
        ("iv", "Ⅳ"),
        ("Ⅲ（早期措置段階）", "Ⅲ"),
        ("健全", "Ⅰ"),
        ("Ⅱ（緊急措置段階）", None),  # the grade and the stage disagree
        ("Ⅱ～Ⅲ", None),
        ("5", None),
    ],
)
def test_soundness_grades_in_any_form_become_roman_numerals(layout: ModuleType, typed: str, grade: str | None) -> None:
    assert layout.soundness_grade(typed) == grade


def check(
    tmp_path: Path, rows: list[list[str]]
) -> tuple[list[tuple[int | None, str | None, str]], pd.DataFrame | None]:
    path = tmp_path / "橋梁一覧.csv"
    write_csv(path, HEADER, rows, "cp932")
    result = check_file(path, load_source_contracts()["bridges"])
    return [(f.row, f.column, f.code) for f in result.errors], result.table


def test_the_register_is_read_under_the_contract_names_and_normalised(tmp_path: Path) -> None:
    errors, table = check(
        tmp_path,
        [
            ["201-0001", "久居橋", "国道165号", "津市", "S45", "12.5", "R5", "2"],
            ["441-0002", "相可大橋", "国道368号", "多気郡多気町", "不明", "80", "2023年度", "Ⅲ（早期措置段階）"],
        ],
    )
    assert errors == []
    assert table is not None
    assert table[["橋梁ID", "所在地", "架設年度", "橋長", "最新点検年度", "判定区分"]].values.tolist() == [
        ["201-0001", "津市", "1970", "12.5", "2023", "Ⅱ"],
        ["441-0002", "多気町", "", "80", "2023", "Ⅲ"],
    ]


def test_each_mistake_is_reported_once_at_the_row_the_department_sees(tmp_path: Path) -> None:
    errors, _ = check(
        tmp_path,
        [
            ["201-0001", "久居橋", "国道165号", "津市", "令和2年度", "12.5", "H30", "Ⅱ"],
            ["201-0002", "白山橋", "国道165号", "津市", "昭和40年代", "-3", "R5", "Ⅴ"],
        ],
    )
    assert errors == [
        (2, "最新点検年度", "inspection_before_construction"),
        (3, "架設年度", "invalid_fiscal_year"),
        (3, "橋長", "negative_number"),
        (3, "判定区分", "invalid_choice"),
    ]


def test_the_summary_has_every_grade_per_municipality_and_counts_every_bridge(tmp_path: Path) -> None:
    _, table = check(
        tmp_path,
        [
            ["201-0001", "久居橋", "国道165号", "津市", "S45", "12.5", "R5", "Ⅱ"],
            ["201-0002", "白山橋", "国道165号", "津市", "S50", "7.25", "R5", "2"],
            ["441-0003", "相可大橋", "国道368号", "多気町", "S60", "", "R4", "Ⅰ"],
        ],
    )
    assert table is not None
    contract = load_published_contracts()["bridges-by-municipality"]
    raw = table.reset_index(names=SOURCE_ROW_COLUMN)
    built = transform_of(contract)(contract, {"bridges": raw}, load_municipalities()).table
    rows = built[["市町名", "判定区分", "橋梁数", "橋長の合計"]].values.tolist()
    assert rows == [
        ["津市", "Ⅰ", 0, 0.0],
        ["津市", "Ⅱ", 2, 19.75],
        ["津市", "Ⅲ", 0, 0.0],
        ["津市", "Ⅳ", 0, 0.0],
        ["多気町", "Ⅰ", 1, 0.0],
        ["多気町", "Ⅱ", 0, 0.0],
        ["多気町", "Ⅲ", 0, 0.0],
        ["多気町", "Ⅳ", 0, 0.0],
    ]
