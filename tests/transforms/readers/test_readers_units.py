"""The small pieces: header_key, header search and Excel value formatting."""

import datetime as dt

import pytest

from tests.transforms.readers.reader_samples import MONTHS, VISITOR_COLUMNS
from transforms.readers import header_key
from transforms.readers.cellvalues import cell_text, number_text
from transforms.readers.header import find_header


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("料金（基本）", "料金(基本)"),
        ("４月", "4月"),
        ("市町\n名", "市町名"),
        ("　名 称\t", "名称"),
        ("ＩＤ", "ID"),
        ("経度\r\n(世界測地系)", "経度(世界測地系)"),
    ],
)
def test_header_key(text: str, key: str) -> None:
    assert header_key(text) == key


def test_header_needs_two_matches_unless_one_name_is_expected() -> None:
    assert find_header([["名称", "メモ"]], ["名称", "ID"]) is None
    match = find_header([["検体番号", "メモ"]], ["検体番号"])
    assert match is not None and (match.row, match.depth) == (0, 1)


def test_earliest_row_wins_a_tie() -> None:
    match = find_header([["x"], ["名称", "ID"], ["名称", "ID"]], ["名称", "ID"])
    assert match is not None and match.row == 1


def test_header_beyond_fifty_rows_is_not_searched() -> None:
    rows = [["x"]] * 50 + [["名称", "ID"]]
    assert find_header(rows, ["名称", "ID"]) is None


def test_two_row_header_is_combined_per_column() -> None:
    upper = ["市町名", "令和6年度", *[""] * 11, "合計", "備考欄"]
    lower = ["", *MONTHS, "", "（人）"]
    match = find_header([["表題"], upper, lower, ["津市"]], VISITOR_COLUMNS)
    assert match is not None
    assert (match.row, match.depth, match.matched) == (1, 2, 14)
    assert match.names == [*VISITOR_COLUMNS, "（人）"]
    assert match.leftovers == ["令和6年度", "備考欄"]


def test_row_below_a_complete_header_is_data_not_header() -> None:
    match = find_header([["市町名", "4月", "5月"], ["津市", "100", "5月"]], ["市町名", "4月", "5月"])
    assert match is not None and match.depth == 1


def test_title_holding_one_name_over_a_complete_header_stays_a_title() -> None:
    match = find_header([["名称", "説明"], ["名称", "ID", "緯度"]], ["名称", "ID", "緯度"])
    assert match is not None and (match.row, match.depth) == (1, 1)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("文字", "文字"),
        (True, "TRUE"),
        (False, "FALSE"),
        (242012, "242012"),
        (242012.0, "242012"),
        (-0.0, "0"),
        (34.730278, "34.730278"),
        (136.5, "136.5"),
        (0.1 + 0.2, "0.3"),
        (1e-05, "0.00001"),
        (1.5e20, "150000000000000000000"),
        (-12.25, "-12.25"),
        (dt.datetime(2024, 4, 1), "2024-04-01"),
        (dt.datetime(2024, 4, 1, 10, 30), "2024-04-01 10:30"),
        (dt.datetime(2024, 4, 1, 10, 29, 59, 999_900), "2024-04-01 10:30"),
        (dt.datetime(2024, 4, 1, 23, 59, 59, 700_000), "2024-04-02"),
        (dt.datetime(2024, 4, 1, 10, 30, 15), "2024-04-01 10:30:15"),
        (dt.date(2024, 4, 1), "2024-04-01"),
        (dt.time(9, 0), "09:00"),
        (dt.time(8, 59, 59, 999_000), "09:00"),
        (dt.time(17, 30, 15), "17:30:15"),
        (dt.timedelta(hours=25, minutes=30), "25:30"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_number_text_never_uses_exponents() -> None:
    for value in (1e-07, 1.23e-10, 9.87e17, 123456789012345.0):
        assert "e" not in number_text(value).lower()
