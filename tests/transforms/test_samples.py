"""transforms/samples.py: the demo's municipalities with places, and files written as offices write them."""

import datetime as dt
import random
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from transforms.column_types import LATITUDE_RANGE, LONGITUDE_RANGE
from transforms.contracts import load_source_contracts
from transforms.reference import load_municipalities
from transforms.samples import (
    FIXED_TIME,
    HALF_KANA,
    csv_text,
    date_text,
    sample_municipalities,
    sample_of,
    spot,
    titled_workbook,
    write_csv,
    write_titled_workbook,
)

MUNICIPALITIES = sample_municipalities()


def test_sample_municipalities_are_mies_29_with_the_reference_names() -> None:
    reference = load_municipalities().table.set_index("code")
    assert len(MUNICIPALITIES) == 29
    assert {m.code for m in MUNICIPALITIES} == set(reference.index)
    for m in MUNICIPALITIES:
        assert (m.name, m.district, m.region) == tuple(reference.loc[m.code, ["name", "district", "region"]])
        assert m.is_city == m.name.endswith("市") and (m.district == "") == m.is_city


def test_every_area_and_every_spot_near_it_lies_inside_mies_box() -> None:
    rng = random.Random("test")
    for m in MUNICIPALITIES:
        points = [(m.area.lat, m.area.lon)] + [spot(rng, m) for _ in range(50)]
        for lat, lon in points:
            assert LATITUDE_RANGE[0] < lat < LATITUDE_RANGE[1], m.name
            assert LONGITUDE_RANGE[0] < lon < LONGITUDE_RANGE[1], m.name


def test_names_as_an_address_and_a_column_write_them() -> None:
    (taki,) = [m for m in MUNICIPALITIES if m.name == "多気町"]
    assert (taki.full_name, taki.lg_name, taki.site) == (
        "三重県多気郡多気町",
        "三重県多気町",
        "https://www.town.taki.mie.jp",
    )


@pytest.mark.parametrize(
    ("day", "style", "typed"),
    [
        (dt.date(2024, 4, 3), "kanji", "令和6年4月3日"),
        (dt.date(2024, 4, 3), "letter", "R6.4.3"),
        (dt.date(2024, 4, 3), "slash", "2024/4/3"),
        (dt.date(2019, 5, 1), "kanji", "令和元年5月1日"),
        (dt.date(2019, 4, 30), "kanji", "平成31年4月30日"),
        (dt.date(2019, 4, 30), "letter", "H31.4.30"),
    ],
)
def test_date_text_in_each_style(day: dt.date, style: str, typed: str) -> None:
    assert date_text(day, style) == typed


def test_cells_as_excel_writes_them_to_csv() -> None:
    assert [csv_text(v) for v in (None, dt.time(9, 5), dt.date(2023, 4, 1), 34.71862, 12)] == [
        "",
        "9:05",
        "2023/4/1",
        "34.71862",
        "12",
    ]
    assert "ガッコウ".translate(HALF_KANA) == "ｶﾞｯｺｳ"


def test_write_csv_uses_crlf_and_the_encoding_asked(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "一覧.csv"
    write_csv(path, ["名称", "備考"], [["津市役所", "a,b"]], "cp932")
    assert path.read_bytes() == '名称,備考\r\n津市役所,"a,b"\r\n'.encode("cp932")


def test_a_titled_workbook_has_titles_a_blank_row_the_table_and_notes() -> None:
    book = titled_workbook(
        "一覧", [["表題"], [None, "担当課"]], ["名称", "日付"], [["A", dt.date(2024, 4, 1)]], [["※注"]]
    )
    sheet = book.active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [row[:2] for row in rows] == [
        ["表題", None],
        [None, "担当課"],
        [None, None],
        ["名称", "日付"],
        ["A", dt.date(2024, 4, 1)],
        ["※注", None],
    ]
    assert sheet.title == "一覧" and sheet["A1"].font.bold and sheet["B5"].number_format == "yyyy/m/d"


def test_write_titled_workbook_writes_the_same_bytes_each_time(tmp_path: Path) -> None:
    def write(path: Path) -> bytes:
        records: list[dict[str, object]] = [
            {"名称": "津市役所", "開館": dt.time(9, 0)},
            {"名称": "四日市市役所", "開館": None},
        ]
        write_titled_workbook(path, "一覧", [["施設一覧"]], ["名称", "開館"], records, [["※注"]])
        return path.read_bytes()

    first = write(tmp_path / "a.xlsx")
    assert write(tmp_path / "b.xlsx") == first
    book = load_workbook(tmp_path / "a.xlsx")
    assert book.properties.created == book.properties.modified == FIXED_TIME
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:  # no clock in the zip entries either
        assert {entry.date_time for entry in archive.infolist()} == {FIXED_TIME.timetuple()[:6]}
    assert [cell.value for cell in book.active[3]] == ["名称", "開館"]


def test_sample_of_is_the_folders_writer_or_none(tmp_path: Path) -> None:
    bridges = load_source_contracts()["bridges"]
    sample = sample_of(bridges)
    assert sample is not None and callable(sample.write_samples) and sample.EXPECTED
    assert sample_of(replace(bridges, path=tmp_path / "source.yaml")) is None
