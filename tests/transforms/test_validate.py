"""Contract checks on whole files, dataset by dataset: each rule of source-datasets.md seen to fire."""

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import workbook_file
from transforms.contracts import load_source_contracts
from transforms.validate import CheckResult, check_file

CONTRACTS = load_source_contracts()

EVACUATION_HEADER = [
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "名称",
    "名称_カナ",
    "所在地_全国地方公共団体コード",
    "所在地_連結表記",
    "緯度",
    "経度",
    "災害種別_津波",
    "想定収容人数",
    "URL",
    "備考",
]
EVACUATION_GOOD = [
    "242012",
    "001",
    "津市",
    "津市立南が丘小学校",
    "ﾂｼﾘﾂﾐﾅﾐｶﾞｵｶｼｮｳｶﾞｯｺｳ",
    "242012",
    "三重県津市南が丘1-1",
    "34.7186",
    "136.5056",
    "1",
    "1,200",
    "https://www.city.tsu.lg.jp/",
    "①㈱髙～ 体育館",
]


def write_csv(folder: Path, rows: list[list[str]], name: str = "file.csv", encoding: str = "cp932") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = folder / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def check(path: Path, dataset: str) -> CheckResult:
    return check_file(path, CONTRACTS[dataset])


def codes_at(result: CheckResult) -> list[tuple[int | None, str | None, str]]:
    return [(f.row, f.column, f.code) for f in result.errors]


def evacuation_row(**changes: str) -> list[str]:
    row = dict(zip(EVACUATION_HEADER, EVACUATION_GOOD, strict=True))
    row.update(changes)
    return list(row.values())


def test_a_good_evacuation_file_is_valid_and_normalised(tmp_path: Path) -> None:
    result = check(write_csv(tmp_path, [EVACUATION_HEADER, EVACUATION_GOOD]), "evacuation-sites")
    assert result.errors == []
    assert result.valid and result.rows == 1
    row = result.table.iloc[0]
    assert row["名称_カナ"] == "ツシリツミナミガオカショウガッコウ"  # half-width kana widened
    assert row["想定収容人数"] == "1200"  # thousands separator removed
    assert row["備考"] == "①㈱髙～ 体育館"  # free text kept as submitted (no NFKC)
    assert row["標高"] == ""  # absent optional column is empty
    assert list(result.table.columns) == CONTRACTS["evacuation-sites"].column_names
    assert result.table.index.tolist() == [2]  # the text line the department sees


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"全国地方公共団体コード": "242013"}, ("全国地方公共団体コード", "lg_code_check_digit")),
        ({"所在地_全国地方公共団体コード": "131016"}, ("所在地_全国地方公共団体コード", "lg_code_not_in_mie")),
        ({"全国地方公共団体コード": "24201"}, ("全国地方公共団体コード", "invalid_lg_code")),
        ({"災害種別_津波": "○"}, ("災害種別_津波", "invalid_flag")),
        ({"想定収容人数": "-5"}, ("想定収容人数", "negative_number")),
        ({"想定収容人数": "約100"}, ("想定収容人数", "invalid_integer")),
        ({"URL": "www.city.tsu.lg.jp"}, ("URL", "invalid_url")),
        ({"名称": ""}, ("名称", "required_value_missing")),
        ({"名称": "－"}, ("名称", "required_value_missing")),  # a dash alone means empty
        ({"経度": "137.50"}, ("経度", "coordinate_out_of_range")),
        ({"緯度": "136.5056", "経度": "34.7186"}, ("緯度", "coordinates_swapped")),
        ({"備考": '=HYPERLINK("http://example.com","詳細")'}, ("備考", "formula_like_text")),
        ({"備考": "@SUM(A1)"}, ("備考", "formula_like_text")),
    ],
)
def test_each_evacuation_rule_names_row_column_and_code(
    tmp_path: Path, changes: dict[str, str], expected: tuple[str, str]
) -> None:
    path = write_csv(tmp_path, [EVACUATION_HEADER, EVACUATION_GOOD, evacuation_row(ID="002", **changes)])
    result = check(path, "evacuation-sites")
    assert codes_at(result) == [(3, *expected)]
    assert result.errors[0].message  # Japanese text for the department
    assert not result.valid


def test_the_prefectures_own_code_is_one_of_mies_codes(tmp_path: Path) -> None:
    # 三重県 itself publishes data: 240001 is one of Mie's 30 codes (29 市町 and the prefecture).
    path = write_csv(tmp_path, [EVACUATION_HEADER, evacuation_row(全国地方公共団体コード="240001")])
    assert check(path, "evacuation-sites").errors == []


def test_swapped_coordinates_message_names_both_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [EVACUATION_HEADER, evacuation_row(緯度="136.5", 経度="34.7")])
    (finding,) = check(path, "evacuation-sites").errors
    assert "緯度" in finding.message and "経度" in finding.message


def test_duplicate_key_points_at_the_first_row(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, [EVACUATION_HEADER, EVACUATION_GOOD, evacuation_row(名称="別名"), evacuation_row(ID="003")]
    )
    result = check(path, "evacuation-sites")
    assert codes_at(result) == [(3, "ID", "duplicate_key")]
    assert "2 行目" in result.errors[0].message


def test_missing_required_column_is_a_file_error_and_rows_are_still_checked(tmp_path: Path) -> None:
    header = [name for name in EVACUATION_HEADER if name != "名称_カナ"]
    row = evacuation_row(URL="ftp://x")
    del row[EVACUATION_HEADER.index("名称_カナ")]
    result = check(write_csv(tmp_path, [header, row]), "evacuation-sites")
    assert codes_at(result) == [(None, "名称_カナ", "missing_required_column"), (2, "URL", "invalid_url")]


def test_columns_are_found_by_header_text_in_any_order_and_unknown_ones_are_warned(tmp_path: Path) -> None:
    order = list(reversed(range(len(EVACUATION_HEADER))))
    header = [EVACUATION_HEADER[i] for i in order] + ["担当課"]
    row = [EVACUATION_GOOD[i] for i in order] + ["防災課"]
    result = check(write_csv(tmp_path, [header, row]), "evacuation-sites")
    assert result.valid
    assert result.table.iloc[0]["名称"] == "津市立南が丘小学校"
    assert [(w.column, w.code) for w in result.warnings] == [("担当課", "ignored_unknown_column")]


TOURISM_HEADER = [
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "名称",
    "名称_カナ",
    "所在地_連結表記",
    "緯度",
    "経度",
    "開始時間",
    "終了時間",
    "料金（基本）",
    "説明",
    "電話番号",
    "登録日",
]
TOURISM_GOOD = [
    "242039",
    "T1",
    "伊勢市",
    "伊勢神宮 内宮",
    "イセジングウ",
    "伊勢市宇治館町1",
    "34.4551",
    "136.7258",
    "5:00",
    "１９：００",
    "無料",
    "お伊勢さん",
    "0596（24）1111",
    "令和元年5月1日",
]


def test_tourism_facility_times_phones_dates_and_fullwidth_headers_are_normalised(tmp_path: Path) -> None:
    result = check(write_csv(tmp_path, [TOURISM_HEADER, TOURISM_GOOD], encoding="utf-8-sig"), "tourism-facilities")
    assert result.errors == [] and result.encoding == "utf-8-sig"
    row = result.table.iloc[0]
    assert (row["開始時間"], row["終了時間"]) == ("05:00", "19:00")
    assert row["電話番号"] == "0596-24-1111"
    assert row["登録日"] == "2019-05-01"
    assert row["料金(基本)"] == "無料"  # header （基本） matched to the contract's (基本)


@pytest.mark.parametrize(
    "column, value, code",
    [
        ("緯度", "", "coordinates_incomplete"),
        ("開始時間", "朝", "invalid_time"),
        ("登録日", "平成32年1月1日", "era_year_out_of_range"),
        ("登録日", "2023-02-29", "impossible_date"),
        ("電話番号", "代表", "invalid_phone"),
    ],
)
def test_tourism_facility_rules(tmp_path: Path, column: str, value: str, code: str) -> None:
    row = dict(zip(TOURISM_HEADER, TOURISM_GOOD, strict=True)) | {column: value}
    result = check(write_csv(tmp_path, [TOURISM_HEADER, list(row.values())]), "tourism-facilities")
    expected_column = "緯度" if code == "coordinates_incomplete" else column
    assert codes_at(result) == [(2, expected_column, code)]


def test_era_message_says_the_era_span(tmp_path: Path) -> None:
    row = dict(zip(TOURISM_HEADER, TOURISM_GOOD, strict=True)) | {"登録日": "平成32年1月1日"}
    (finding,) = check(write_csv(tmp_path, [TOURISM_HEADER, list(row.values())]), "tourism-facilities").errors
    assert "平成" in finding.message and "2019-04-30" in finding.message


CSF_HEADER = ["検体番号", "捕獲年月日", "市町名", "検査結果", "検査年月日"]


def test_wild_boar_names_resolve_with_or_without_district_and_results_are_folded(tmp_path: Path) -> None:
    rows = [
        CSF_HEADER,
        ["W1", "R6.4.1", "多気郡多気町", " 陽性 ", "R6.4.2"],
        ["W2", "Ｒ６．４．３", "三重県 津市", "陰性", ""],
    ]
    result = check(write_csv(tmp_path, rows), "csf-wild-boar")
    assert result.errors == []
    assert result.table["市町名"].tolist() == ["多気町", "津市"]
    assert result.table["検査結果"].tolist() == ["陽性", "陰性"]
    assert result.table["捕獲年月日"].tolist() == ["2024-04-01", "2024-04-03"]


@pytest.mark.parametrize(
    "row, expected",
    [
        (["W1", "R6.4.5", "津市", "陰性", "R6.4.1"], (2, "検査年月日", "date_order")),
        (["W1", "R6.4.5", "名古屋市", "陰性", ""], (2, "市町名", "unknown_municipality")),
        (["W1", "R6.4.5", "度会郡多気町", "陰性", ""], (2, "市町名", "unknown_municipality")),
        (["W1", "R6.4.5", "津市", "擬陽性", ""], (2, "検査結果", "invalid_choice")),
        (["W1", "", "津市", "陰性", ""], (2, "捕獲年月日", "required_value_missing")),
    ],
)
def test_wild_boar_rules(tmp_path: Path, row: list[str], expected: tuple[int, str, str]) -> None:
    assert codes_at(check(write_csv(tmp_path, [CSF_HEADER, row]), "csf-wild-boar")) == [expected]


MONTHS = [f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def test_tourist_visitors_wide_sheets_become_long_rows_with_codes_regions_and_fiscal_months(tmp_path: Path) -> None:
    tsu = [100, "1,200", 0, "－", 5, 6, 7, 8, 9, 10, 11, 12]
    ise = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    stated_total = [101, 1202, 3, 4, 10, 12, 14, 16, 18, 20, 22, 24]
    path = workbook_file(
        tmp_path / "観光入込客数.xlsx",
        {
            "令和6年度": [
                ["令和6年度 観光入込客数（月別）"],
                [],
                ["市町名", *MONTHS, "合計"],
                ["津市", *tsu, 1368],
                ["伊勢市", *ise, 78],
                ["県計", *stated_total, 1445],  # 1,445 is one off: a warning, not an error
                ["※ 単位：人"],
            ],
            "R5年度": [["市町名", *MONTHS], ["津市", *range(1, 13)]],
        },
    )
    result = check(path, "tourist-visitors")
    assert result.errors == []
    table = result.table
    assert len(table) == 36
    first = table.iloc[0]
    assert first.to_dict() == {
        "年月": "2024-04",
        "全国地方公共団体コード": "242012",
        "市町名": "津市",
        "地域": "中南勢",
        "入込客数": "100",
    }
    assert table.iloc[11]["年月"] == "2025-03"  # 3月 of 令和6年度 is March 2025
    assert table.iloc[1]["入込客数"] == "1200" and table.iloc[3]["入込客数"] == ""
    assert table.iloc[12][["年月", "市町名", "地域"]].tolist() == ["2024-04", "伊勢市", "伊勢志摩"]
    assert table.iloc[24]["年月"] == "2023-04"
    mismatches = [(w.row, w.code) for w in result.warnings if w.code == "total_mismatch"]
    assert mismatches == [(6, "total_mismatch")]
    mismatch = next(w.message for w in result.warnings if w.code == "total_mismatch")
    assert "1445" in mismatch
    assert mismatch.startswith("シート「令和6年度」")  # rows repeat across sheets: the sheet is named
    titles = [w.message for w in result.warnings if w.code == "ignored_rows_above_header"]
    assert titles and all(message.startswith("シート「") for message in titles)


def test_tourist_visitors_without_a_fiscal_year_is_an_error(tmp_path: Path) -> None:
    path = workbook_file(tmp_path / "入込客.xlsx", {"Sheet1": [["市町名", *MONTHS], ["津市", *range(12)]]})
    assert [f.code for f in check(path, "tourist-visitors").errors] == ["fiscal_year_not_found"]


def test_unreadable_file_has_no_rows_and_one_file_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = check(path, "csf-wild-boar")
    assert result.rows is None and not result.valid
    assert codes_at(result) == [(None, None, "file_empty")]


def test_findings_past_the_kept_number_per_code_are_counted_in_one_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODL_MAX_FINDINGS_PER_CODE", "2")
    rows = [evacuation_row(ID=f"{n:03d}", 緯度="136.5", 経度="34.7", URL="ftp://x") for n in range(1, 6)]
    rows += [evacuation_row(ID="001")] * 4  # four repeats of the first key
    result = check(write_csv(tmp_path, [EVACUATION_HEADER, *rows]), "evacuation-sites")
    listed = [(f.row, f.code) for f in result.errors if f.code != "more_findings"]
    assert listed == [(2, "coordinates_swapped"), (2, "invalid_url"), (3, "coordinates_swapped"), (3, "invalid_url"),
                      (7, "duplicate_key"), (8, "duplicate_key")]  # fmt: skip
    summaries = {f.to_dict()["of"]: f.to_dict()["count"] for f in result.errors if f.code == "more_findings"}
    assert summaries == {"coordinates_swapped": 3, "invalid_url": 3, "duplicate_key": 2}
