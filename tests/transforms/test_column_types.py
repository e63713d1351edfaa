"""The column-type registry: every type has every facet, and contracts, the check, connect and create read it."""

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from transforms import column_types
from transforms.column_types import CURATED_FLOAT, NUMERIC, TYPES, ColumnType
from transforms.connect.suites import contract_expectations
from transforms.connect.tables import curated_dtypes
from transforms.contracts import COLUMN_TYPES, Column, PublishedContract, discover
from transforms.publish import metadata
from transforms.publish.tables import parquet_table, typed_table
from transforms.reference import load_municipalities
from transforms.validate import normalise

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
MUNICIPALITIES = load_municipalities()
# One good cell per type, as a department might type it, and what the check makes of it.
GOOD_CELLS = {
    "text": ("避難所", "避難所"),
    "kana": ("ﾋﾅﾝｼﾞｮ", "ヒナンジョ"),
    "lg_code": ("２４２０１２", "242012"),
    "municipality": ("津市", "津市"),
    "integer": ("1,234", "1234"),
    "decimal": ("１２.５０", "12.5"),
    "latitude": ("34.73", "34.73"),
    "longitude": ("136.51", "136.51"),
    "flag": ("１", "1"),
    "date": ("令和6年4月1日", "2024-04-01"),
    "year_month": ("2024-04", "2024-04"),
    "time": ("9時30分", "09:30"),
    "phone": ("059(224)2111", "059-224-2111"),
    "url": ("Https://www.pref.mie.lg.jp/", "https://www.pref.mie.lg.jp/"),
    "choice": ("ＡＢＣ", "ABC"),
}


def test_every_type_has_every_facet() -> None:
    assert set(TYPES) == set(COLUMN_TYPES) == set(GOOD_CELLS)
    for name, type_ in TYPES.items():
        assert type_.name == name
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", type_.description), name  # Japanese, for contract authors
        assert callable(type_.parse)
        assert type_.curated in (column_types.CURATED_TEXT, column_types.CURATED_INTEGER, CURATED_FLOAT)
        pd.Series([], dtype=type_.curated.dtype)  # a pandas dtype
        for alias in (type_.curated.arrow, type_.published.arrow, type_.published.parquet):
            pa.type_for_alias(alias)
        assert type_.published.datastore in {"text", "int8", "numeric", "float8", "date"}
        if type_.format:
            assert re.compile(type_.format.pattern).groups == 0, name  # GX warns on capturing groups


def test_each_type_parses_a_good_cell_without_errors() -> None:
    for name, type_ in TYPES.items():
        cell, normalised = GOOD_CELLS[name]
        column = Column("列", name, choices=("ABC",))
        parsed = type_.parse(pd.Series([cell, ""], dtype=object), column, MUNICIPALITIES)
        assert list(parsed.values) == [normalised, ""], name
        assert parsed.errors.isna().all(), name


def test_a_non_negative_decimal_column_refuses_a_negative_value_at_its_row(tmp_path: Path) -> None:
    (tmp_path / "departments.yaml").write_text((CATALOG / "departments.yaml").read_text(encoding="utf-8"))
    folder = tmp_path / "datasets" / "lengths"
    folder.mkdir(parents=True)
    (folder / "source.yaml").write_text(
        "id: lengths\ntitle: t\ndepartment: infrastructure\nfile_patterns: ['*x*']\nkey: [A]\n"
        "columns:\n  - {name: A, type: text}\n  - {name: 長さ, type: decimal, non_negative: true}\n"
        "  - {name: 差, type: decimal}\n",
        encoding="utf-8",
    )
    source = discover(tmp_path).sources["lengths"]
    raw = pd.DataFrame({"A": ["a", "b", "c"], "長さ": ["12.5", "－０．５", "0"], "差": ["-3.5"] * 3}, index=[2, 3, 4])
    table, findings = normalise(raw, source, MUNICIPALITIES, set())
    assert [(f.row, f.column, f.code) for f in findings] == [(3, "長さ", "negative_number")]
    assert findings[0].message == "「長さ」の値「－０．５」が負の数です。0以上の数を入力してください。"
    assert list(table["差"]) == ["-3.5"] * 3  # a decimal column without the rule keeps its negative values


def test_formats_in_the_suite_match_what_the_check_makes() -> None:
    for name, type_ in TYPES.items():
        if type_.format:
            assert re.fullmatch(type_.format.pattern, GOOD_CELLS[name][1]), name


def catalog_with_a_percent_column(tmp_path: Path) -> Path:
    folder = tmp_path / "datasets" / "rates"
    folder.mkdir(parents=True)
    (tmp_path / "departments.yaml").write_text((CATALOG / "departments.yaml").read_text(encoding="utf-8"))
    (folder / "source.yaml").write_text(
        "id: rates\ntitle: t\ndepartment: tourism\nfile_patterns: ['*x*']\nkey: [A]\n"
        "columns:\n  - {name: A, type: text}\n  - {name: 率, type: percent}\n",
        encoding="utf-8",
    )
    return tmp_path


def test_contracts_refuse_a_type_the_registry_lacks(tmp_path: Path) -> None:
    assert discover(catalog_with_a_percent_column(tmp_path)).broken["rates"].en.endswith("unknown type 'percent'")


PERCENT = ColumnType("percent", "百分率（0～100）", TYPES["decimal"].parse, CURATED_FLOAT, NUMERIC, bounds=(0.0, 100.0))


@pytest.fixture
def with_percent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(TYPES, "percent", PERCENT)


@pytest.mark.usefixtures("with_percent")
def test_a_type_added_to_the_registry_is_known_to_contracts_check_connect_and_create(tmp_path: Path) -> None:
    source = discover(catalog_with_a_percent_column(tmp_path)).sources["rates"]
    assert source.column("率").type == "percent"

    raw = pd.DataFrame({"A": ["a", "b", "c"], "率": ["１２.５", "abc", ""]}, index=[2, 3, 4])
    table, findings = normalise(raw, source, MUNICIPALITIES, set())
    assert list(table["率"]) == ["12.5", "abc", ""]
    assert [(f.row, f.column, f.code) for f in findings] == [(3, "率", "invalid_number")]

    published = PublishedContract("rates", "t", "t", "tourism", "d", (), "m", ("rates",), "x", ("A",), source.columns)
    curated = curated_dtypes(table.drop(index=3), published)
    assert str(curated["率"].dtype) == "float64"

    expectations = [e for e in contract_expectations(published, MUNICIPALITIES) if e["kwargs"].get("column") == "率"]
    assert {"column": "率", "type_list": ["float64"]} in [e["kwargs"] for e in expectations]
    assert {"column": "率", "min_value": 0.0, "max_value": 100.0} in [e["kwargs"] for e in expectations]

    typed = typed_table(pa.Table.from_pandas(table.drop(index=3), preserve_index=False), published)
    assert typed.column("率").to_pylist() == ["12.5", None]  # exact text for the DataStore's numeric
    assert parquet_table(typed, published).schema.field("率").type == pa.float64()
    assert metadata.datastore_fields(published)[1]["type"] == "numeric"
