"""The typed table citizens get: DataStore types from the contract, CSV for Excel, Parquet for tools."""

import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.transforms.publish.curated import evacuation_sites, visitors_by_region
from transforms.contracts import COLUMN_TYPES, load_published_contracts
from transforms.publish.tables import (
    DATASTORE_TYPES,
    CuratedDataError,
    copy_chunks,
    datastore_type,
    typed_table,
    write_csv,
    write_parquet,
)

CONTRACTS = load_published_contracts()


def test_every_contract_type_has_a_datastore_type_and_codes_stay_text() -> None:
    assert set(DATASTORE_TYPES) == COLUMN_TYPES
    assert DATASTORE_TYPES["lg_code"] == "text"
    assert DATASTORE_TYPES["phone"] == "text"
    assert {DATASTORE_TYPES[t] for t in ("integer", "decimal", "latitude", "date")} == {
        "int8",
        "numeric",
        "float8",
        "date",
    }


def test_typed_table_converts_strings_to_datastore_types_and_blanks_to_nulls() -> None:
    contract = CONTRACTS["evacuation-sites"]
    typed = typed_table(pa.Table.from_pandas(evacuation_sites(2), preserve_index=False), contract)
    assert typed.column_names == contract.column_names
    assert typed.schema.field("全国地方公共団体コード").type == pa.string()
    assert typed.schema.field("想定収容人数").type == pa.int64()
    assert typed.schema.field("緯度").type == pa.float64()
    assert typed.column("標高").to_pylist() == ["3.5", None]  # numeric keeps the exact text
    assert typed.column("名称_英字").to_pylist() == [None, None]


def test_typed_table_parses_dates_and_keeps_year_month_as_text() -> None:
    contract = CONTRACTS["csf-wild-boar"]
    frame = pa.table({name: pa.array([""], pa.string()) for name in contract.column_names})
    frame = frame.set_column(1, "捕獲年月日", pa.array(["2024-04-01"]))
    typed = typed_table(frame, contract)
    assert typed.column("捕獲年月日").to_pylist() == [datetime.date(2024, 4, 1)]
    monthly = typed_table(
        pa.Table.from_pandas(visitors_by_region(1), preserve_index=False), CONTRACTS["tourist-visitors-by-region"]
    )
    assert monthly.column("年月").to_pylist()[0] == "2024-01"


def test_a_missing_column_or_a_wrong_value_is_reported_with_the_column() -> None:
    contract = CONTRACTS["tourist-visitors-by-region"]
    frame = visitors_by_region(1)
    with pytest.raises(CuratedDataError, match="報告市町数"):
        typed_table(pa.Table.from_pandas(frame.drop(columns=["報告市町数"]), preserve_index=False), contract)
    frame.loc[0, "入込客数"] = "多数"
    with pytest.raises(CuratedDataError, match="入込客数"):
        typed_table(pa.Table.from_pandas(frame, preserve_index=False), contract)


def test_csv_download_is_utf8_with_bom_and_crlf_with_japanese_headers(tmp_path: Path) -> None:
    contract = CONTRACTS["tourist-visitors-by-region"]
    typed = typed_table(pa.Table.from_pandas(visitors_by_region(1), preserve_index=False), contract)
    data = write_csv(typed, tmp_path / "x.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == '"年月","地域","入込客数","報告市町数"'
    assert lines[1] == '"2024-01","北勢",1001,5'


def test_parquet_download_has_numbers_as_numbers(tmp_path: Path) -> None:
    contract = CONTRACTS["evacuation-sites"]
    typed = typed_table(pa.Table.from_pandas(evacuation_sites(2), preserve_index=False), contract)
    schema = pq.read_schema(write_parquet(typed, contract, tmp_path / "x.parquet"))
    assert schema.field("標高").type == pa.float64()
    assert schema.field("全国地方公共団体コード").type == pa.string()


def test_copy_chunks_write_nulls_unquoted_and_text_quoted() -> None:
    contract = CONTRACTS["tourist-visitors-by-region"]
    frame = visitors_by_region(1)
    frame.loc[0, "報告市町数"] = ""
    typed = typed_table(pa.Table.from_pandas(frame, preserve_index=False), contract)
    chunks = list(copy_chunks(typed, batch_rows=4))
    assert len(chunks) == 2
    assert chunks[0].decode().splitlines()[0] == '"2024-01","北勢",1001,'


def test_datastore_type_follows_the_column() -> None:
    contract = CONTRACTS["csf-wild-boar-monthly"]
    assert [datastore_type(c) for c in contract.columns] == ["text", "text", "text", "text", "int8", "int8", "numeric"]
