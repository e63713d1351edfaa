"""Delimited text: delimiters, the title/notes/blank layout departments use, and row numbers."""

from pathlib import Path

import pandas as pd
import pytest

from tests.transforms.readers.reader_samples import FACILITY_COLUMNS, MONTHS, VISITOR_COLUMNS, WriteFile
from transforms.findings import UnreadableFile, error, warning
from transforms.readers import read_table


def rows(path: Path, names: list[str] = FACILITY_COLUMNS) -> dict[int, list[str]]:
    table = read_table(path, names).sheets[0]
    return {int(number): list(values) for number, values in table.cells.iterrows()}


@pytest.mark.parametrize(
    ("delimiter", "name", "fmt"),
    [
        (",", "a.csv", "csv"),
        ("\t", "a.tsv", "tsv"),
        ("\t", "a.csv", "tsv"),
        (";", "a.csv", "csv"),
        ("\t", "a.txt", "txt"),
    ],
)
def test_delimiter_is_the_one_under_which_the_header_matches(
    write_file: WriteFile, delimiter: str, name: str, fmt: str
) -> None:
    # Values hold the other delimiters, so only the header decides.
    lines = [FACILITY_COLUMNS, ["242012", "1", "津城跡, 丸之内", "34.7", "136.5", "a;b\tc"]]
    if delimiter == "\t":
        lines[1][5] = "a;b,c"
    text = "\n".join(delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in line) for line in lines)
    result = read_table(write_file(name, text.encode()), FACILITY_COLUMNS)
    assert result.format == fmt
    assert result.sheets[0].header == FACILITY_COLUMNS
    assert list(result.sheets[0].cells.loc[2]) == lines[1]


def test_no_extension_text_file_is_read_as_csv(write_file: WriteFile) -> None:
    result = read_table(write_file("submission", "名称,ID\n津城跡,1\n".encode()), ["名称", "ID"])
    assert (result.format, result.sheets[0].header) == ("csv", ["名称", "ID"])


def test_title_blank_note_rows_and_empty_columns_are_dropped_with_warnings(write_file: WriteFile) -> None:
    text = (
        "令和6年度 観光施設一覧,,,,,,,\n"  # 1 title
        "三重県観光部,,,,,,,\n"  # 2
        ",,,,,,,\n"  # 3 blank, above the header
        "全国地方公共団体コード,ID,名称,,緯度,経度,備考,\n"  # 4 header; column 4 and 8 unnamed
        "242012,1,津城跡,,34.7,136.5,,\n"  # 5
        ",,,,,,,\n"  # 6 blank inside the table
        "242021,2,四日市港,,34.9,136.6,,\n"  # 7
        "合計,,,,,,,\n"  # 8 a totals row is data for someone else
        ",,,,,,,\n"  # 9 blank
        "※ 緯度経度は世界測地系,,,,,,,\n"  # 10 note
        "2. 調査は毎年4月,,,,,,,\n"  # 11 note continued
        "出典：観光部調べ,,,,,,,\n"  # 12
        ",,,,,,,\n"  # 13 trailing blank: unused formatted rows, dropped silently
    )
    result = read_table(write_file("a.csv", text.encode()), FACILITY_COLUMNS)
    table = result.sheets[0]
    assert table.title_lines == ["令和6年度 観光施設一覧", "三重県観光部"]
    assert table.header == FACILITY_COLUMNS
    assert list(table.cells.index) == [5, 7, 8]
    assert list(table.cells.columns) == [0, 1, 2, 3, 4, 5]
    assert list(table.cells.loc[7]) == ["242021", "2", "四日市港", "34.9", "136.6", ""]
    assert result.warnings == [
        warning("ignored_rows_above_header", count=3),
        warning("ignored_blank_rows", count=2, rows="6、9"),
        warning("ignored_note_rows", count=3, rows="10、11、12"),
        warning("ignored_empty_columns", count=2),
    ]
    assert result.warnings == table.warnings
    assert result.errors == []


def test_note_prefixes_in_both_widths(write_file: WriteFile) -> None:
    notes = [
        "※1 速報値",
        "注 推計",
        "（注）推計",
        "(注)推計",
        "備考：なし",
        "備考:なし",
        "資料：県",
        "資料:県",
        "出典 県",
    ]
    for note in notes:
        text = f"名称,ID\n津城跡,1\n{note},\n"
        result = read_table(write_file("a.csv", text.encode()), ["名称", "ID"])
        assert list(result.sheets[0].cells.index) == [2], note
        assert result.warnings == [warning("ignored_note_rows", count=1, rows="3")]


def test_rows_after_a_note_with_two_values_stay_and_a_lone_note_like_value_with_others_stays(
    write_file: WriteFile,
) -> None:
    text = "名称,ID,備考\n注連縄,1,\n※ 途中の注記,,\n津城跡,2,\n補足のみ,,\n注意,3,※あり\n"
    result = read_table(write_file("a.csv", text.encode()), ["名称", "ID", "備考"])
    assert list(result.sheets[0].cells.index) == [2, 4, 6]
    assert result.warnings == [warning("ignored_note_rows", count=2, rows="3、5")]


def test_blank_row_list_stops_after_ten(write_file: WriteFile) -> None:
    text = "名称,ID\n" + "".join(f"{'' if i % 2 else 'x'},{i}\n" if i % 2 == 0 else ",\n" for i in range(25)) + "y,1\n"
    result = read_table(write_file("a.csv", text.encode()), ["名称", "ID"])
    blank_rows = [i + 2 for i in range(25) if i % 2]
    assert result.warnings == [
        warning("ignored_blank_rows", count=12, rows="、".join(map(str, blank_rows[:10])) + "、…")
    ]


def test_whitespace_only_rows_are_blank(write_file: WriteFile) -> None:
    text = "名称,ID\n津城跡,1\n \u3000, \n四日市港,2\n"
    result = read_table(write_file("a.csv", text.encode()), ["名称", "ID"])
    assert list(result.sheets[0].cells.index) == [2, 4]
    assert result.warnings == [warning("ignored_blank_rows", count=1, rows="3")]


def test_empty_header_column_with_values_is_kept(write_file: WriteFile) -> None:
    text = "名称,,ID\n津城跡,メモ,1\n"
    table = read_table(write_file("a.csv", text.encode()), ["名称", "ID"]).sheets[0]
    assert table.header == ["名称", "", "ID"]
    assert list(table.cells.loc[2]) == ["津城跡", "メモ", "1"]


def test_embedded_newlines_keep_the_line_each_record_starts_on(write_file: WriteFile) -> None:
    text = (
        "表題\r\n"  # 1
        "名称,ID,備考\r\n"  # 2
        '津城跡,1,"一行目\r\n二行目\r\n三行目"\r\n'  # 3-5
        "四日市港,2,\r\n"  # 6
        '"伊勢\n神宮",3,"x"\r\n'  # 7-8
        "\r\n"  # 9
        "鳥羽,4,\r\n"  # 10
    )
    result = read_table(write_file("a.csv", text.encode()), ["名称", "ID", "備考"])
    cells = result.sheets[0].cells
    assert list(cells.index) == [3, 6, 7, 10]
    assert cells.loc[3, 2] == "一行目\r\n二行目\r\n三行目"
    assert cells.loc[7, 0] == "伊勢\n神宮"
    assert warning("ignored_blank_rows", count=1, rows="9") in result.warnings


def test_quoted_header_cell_with_line_break_spans_lines(write_file: WriteFile) -> None:
    text = '"市町\n名",ID\n津市,1\n'
    table = read_table(write_file("a.csv", text.encode()), ["市町名", "ID"]).sheets[0]
    assert table.header == ["市町\n名", "ID"]
    assert list(table.cells.index) == [3]


def test_quotes_without_line_breaks_use_the_fast_path_line_numbers(write_file: WriteFile) -> None:
    text = "名称,ID\n" + "".join(f'"施設{i}, 本館",{i}\n' for i in range(3000))
    cells = read_table(write_file("a.csv", text.encode()), ["名称", "ID"]).sheets[0].cells
    assert (cells.index[0], cells.index[-1], len(cells)) == (2, 3001, 3000)
    assert cells.loc[3001, 0] == "施設2999, 本館"


def test_lone_carriage_returns_count_as_line_breaks(write_file: WriteFile) -> None:
    cells = read_table(write_file("a.csv", "名称,ID\r津城跡,1\r四日市港,2\r".encode()), ["名称", "ID"]).sheets[0].cells
    assert list(cells.index) == [2, 3]


def test_a_row_wider_than_any_seen_before_keeps_its_values(write_file: WriteFile) -> None:
    # Far below the rows sampled for the width, so pandas refuses it and the csv module reads the body.
    text = "名称,ID\n" + "".join(f"施設{i},{i}\n" for i in range(100)) + "はみ出し,101,余分\n"
    table = read_table(write_file("a.csv", text.encode()), ["名称", "ID"]).sheets[0]
    assert table.header == ["名称", "ID", ""]
    assert list(table.cells.loc[102]) == ["はみ出し", "101", "余分"]
    assert list(table.cells.loc[2]) == ["施設0", "0", ""]


def test_short_rows_are_padded_with_empty_strings_never_nan(write_file: WriteFile) -> None:
    cells = read_table(write_file("a.csv", "名称,ID,備考\n津城跡\n".encode()), ["名称", "ID", "備考"]).sheets[0].cells
    assert list(cells.loc[2]) == ["津城跡", "", ""]
    assert not cells.isna().any().any()
    assert all(isinstance(value, str) for value in cells.to_numpy().ravel())


def test_values_are_kept_as_typed(write_file: WriteFile) -> None:
    text = "全国地方公共団体コード,ID,名称\n024012,0001, 津城跡 \nNA,NULL,#N/A\n"
    cells = read_table(write_file("a.csv", text.encode()), ["全国地方公共団体コード", "ID", "名称"]).sheets[0].cells
    assert list(cells.loc[2]) == ["024012", "0001", " 津城跡 "]
    assert list(cells.loc[3]) == ["NA", "NULL", "#N/A"]


def test_duplicate_header_names_survive(write_file: WriteFile) -> None:
    table = read_table(write_file("a.csv", "名称,ID,名称\nA,1,B\n".encode()), ["名称", "ID"]).sheets[0]
    assert table.header == ["名称", "ID", "名称"]
    assert list(table.cells.loc[2]) == ["A", "1", "B"]


def test_header_cells_match_by_header_key_and_are_kept_as_found(write_file: WriteFile) -> None:
    text = " 名 称 ,料金（基本）,ＩＤ\nA,500円,1\n"
    table = read_table(write_file("a.csv", text.encode()), ["名称", "料金(基本)", "ID"]).sheets[0]
    assert table.header == ["名 称", "料金（基本）", "ＩＤ"]


def test_header_row_is_the_one_matching_most_names(write_file: WriteFile) -> None:
    text = "名称,説明\n名称,ID,緯度,経度\n津城跡,1,34.7,136.5\n"
    table = read_table(write_file("a.csv", text.encode()), ["名称", "ID", "緯度", "経度"]).sheets[0]
    assert table.title_lines == ["名称 説明"]
    assert list(table.cells.index) == [3]


def test_two_row_header_in_text_is_combined(write_file: WriteFile) -> None:
    text = (
        "令和6年度 観光入込客数\n"
        "市町名,令和6年度" + "," * 11 + ",合計\n"
        "," + ",".join(MONTHS) + ",\n"
        "津市," + ",".join(str(i) for i in range(12)) + ",66\n"
        "県計," + ",".join(str(i) for i in range(12)) + ",66\n"
    )
    result = read_table(write_file("a.csv", text.encode()), VISITOR_COLUMNS)
    table = result.sheets[0]
    assert table.header == VISITOR_COLUMNS
    assert table.title_lines == ["令和6年度 観光入込客数", "令和6年度"]
    assert list(table.cells.index) == [4, 5]
    assert result.warnings == [warning("ignored_rows_above_header", count=1)]


def test_header_only_file_gives_an_empty_table(write_file: WriteFile) -> None:
    table = read_table(write_file("a.csv", "名称,ID\n".encode()), ["名称", "ID"]).sheets[0]
    assert table.header == ["名称", "ID"]
    assert table.cells.empty
    assert isinstance(table.cells, pd.DataFrame)


def test_single_column_contract_needs_one_match(write_file: WriteFile) -> None:
    table = read_table(write_file("a.txt", "検体番号\nA-1\n".encode()), ["検体番号"]).sheets[0]
    assert list(table.cells[0]) == ["A-1"]


def test_no_header_within_fifty_rows(write_file: WriteFile) -> None:
    text = "".join(f"値{i},{i}\n" for i in range(60)) + "名称,ID\nA,1\n"
    with pytest.raises(UnreadableFile) as raised:
        read_table(write_file("a.csv", text.encode()), ["名称", "ID", "緯度"])
    assert raised.value.finding == error("header_not_found", expected="名称、ID、緯度", searched=50)


def test_header_on_row_fifty_is_found(write_file: WriteFile) -> None:
    text = "".join(f"表題{i}\n" for i in range(49)) + "名称,ID\nA,1\n"
    assert list(read_table(write_file("a.csv", text.encode()), ["名称", "ID"]).sheets[0].cells.index) == [51]


def test_short_file_without_header_reports_rows_searched(write_file: WriteFile) -> None:
    with pytest.raises(UnreadableFile) as raised:
        read_table(write_file("a.csv", b"a,b\n1,2\n"), ["名称", "ID"])
    assert raised.value.finding == error("header_not_found", expected="名称、ID", searched=2)


def test_prose_is_not_a_table(write_file: WriteFile) -> None:
    with pytest.raises(UnreadableFile) as raised:
        read_table(write_file("memo.txt", "お世話になっております。\n資料を送ります。\n".encode()), ["名称", "ID"])
    assert raised.value.finding.code == "not_a_table"


def test_quote_left_open_at_the_end_takes_the_rest_of_the_file(write_file: WriteFile) -> None:
    text = '名称,ID\nA,1\n"B,2\nC,3\n'
    cells = read_table(write_file("a.csv", text.encode()), ["名称", "ID"]).sheets[0].cells
    assert list(cells.index) == [2, 3]
    assert cells.loc[3, 0] == "B,2\nC,3\n"


def test_quote_left_open_over_a_huge_span_is_not_a_table(write_file: WriteFile) -> None:
    text = '名称,ID\nA,1\n"B,2\n' + "x,1\n" * 40_000
    with pytest.raises(UnreadableFile) as raised:
        read_table(write_file("a.csv", text.encode()), ["名称", "ID"])
    assert raised.value.finding == error("not_a_table", detail='3行目から先の引用符（"）の対応が取れません')


def test_nul_past_the_sniffed_head_is_a_finding_and_the_cell_is_kept_whole(write_file: WriteFile) -> None:
    # Parsers cut a field at a NUL: the department would never learn that half its cell was lost.
    body = "".join(f"施設{n},{n},\r\n" for n in range(1, 1000))
    path = write_file("a.csv", ("名称,ID,備考\r\n" + body + "前\0後,1000,備考\r\n").encode())
    result = read_table(path, ["名称", "ID", "備考"])
    assert result.errors == [error("control_character", row=1001, column="名称", character="NUL")]
    assert result.sheets[0].cells.loc[1001, 0] == "前\0後"


def test_control_characters_are_findings_with_row_and_column(write_file: WriteFile) -> None:
    text = '名称,ID,備考\r\n津城跡\x07,1,\r\n鳥羽,2,改\x0c頁\r\n"複数\r\n行\tタブ",3,\r\n'
    result = read_table(write_file("a.csv", text.encode()), ["名称", "ID", "備考"])
    assert result.errors == [
        error("control_character", row=2, column="名称", character="U+0007"),
        error("control_character", row=3, column="備考", character="U+000C"),
    ]  # tabs and line breaks inside quotes are text, not control characters
