"""Excel workbooks: cell values as typed, title rows, merged two-row headers, several sheets, .xls."""

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.transforms.readers.reader_samples import FACILITY_COLUMNS, MONTHS, VISITOR_COLUMNS
from transforms.findings import UnreadableFile, error, warning
from transforms.readers import read_table

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "readers"


def save(workbook: openpyxl.Workbook, path: Path) -> Path:
    workbook.save(path)
    return path


def visitors_sheet(workbook: openpyxl.Workbook, title: str, *, vertical_merges: bool) -> None:
    """Statistics-office layout: title, unit, 市町名 | 令和N年度 (B:M) | 合計 over the months, totals, a note."""
    sheet = workbook.create_sheet(title)
    sheet["A1"] = f"{title} 観光入込客数"
    sheet["A2"] = "（単位：人）"
    sheet["A3"] = "市町名"
    sheet["B3"] = title
    sheet.merge_cells("B3:M3")
    sheet["N3"] = "合計"
    if vertical_merges:
        sheet.merge_cells("A3:A4")
        sheet.merge_cells("N3:N4")
    for col, month in enumerate(MONTHS, start=2):
        sheet.cell(4, col, month)
    sheet.append(["津市", *range(100, 112), 1266])
    sheet.append(["四日市市", *[f"{n:,}" for n in range(1000, 1012)], "12,066"])
    sheet.append(["県計", *range(1100, 1112), 13332])
    sheet.append([])
    sheet.append(["※ 速報値。－は調査なし。"])


def test_xlsx_values_are_text_as_typed(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "観光施設"
    sheet["A1"] = "令和6年度 観光施設一覧"
    sheet["A2"] = dt.date(2024, 4, 1)
    sheet.append(["全国地方公共団体コード", "ID", "名称", "緯度", "経度", "登録日", "開始時間", "更新", "公開", "備考"])
    sheet.append([242012.0, 1, "津城跡", 34.730278, 136.508611, dt.date(2024, 4, 1), dt.time(9, 0)])
    sheet.append([242021, 2.5, None, 1e-05, 1.5e20, dt.datetime(2024, 4, 1, 10, 30), dt.time(17, 30, 15), 0.1 + 0.2])
    sheet.cell(4, 9, True)
    sheet.cell(5, 9, False)
    sheet.cell(5, 10, "#N/A")
    result = read_table(save(workbook, tmp_path / "a.xlsx"), FACILITY_COLUMNS)
    assert (result.format, result.encoding, result.errors) == ("xlsx", None, [])
    table = result.sheets[0]
    assert table.name == "観光施設"
    assert table.title_lines == ["令和6年度 観光施設一覧", "2024-04-01"]
    assert result.warnings == [warning("ignored_rows_above_header", count=2)]
    assert list(table.cells.index) == [4, 5]
    assert list(table.cells.loc[4]) == [
        "242012", "1", "津城跡", "34.730278", "136.508611", "2024-04-01", "09:00", "", "TRUE", ""
    ]  # fmt: skip
    assert list(table.cells.loc[5]) == [
        "242021", "2.5", "", "0.00001", "150000000000000000000", "2024-04-01 10:30", "17:30:15", "0.3", "FALSE", "#N/A"
    ]  # fmt: skip


def test_merged_two_row_header_without_vertical_merges(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    visitors_sheet(workbook, "令和6年度", vertical_merges=False)
    result = read_table(save(workbook, tmp_path / "a.xlsx"), VISITOR_COLUMNS)
    table = result.sheets[0]
    assert table.header == VISITOR_COLUMNS
    assert table.title_lines == ["令和6年度 観光入込客数", "（単位：人）", "令和6年度"]
    assert list(table.cells.index) == [5, 6, 7]
    assert list(table.cells.loc[5]) == ["津市", *map(str, range(100, 112)), "1266"]
    assert table.cells.loc[6, 1] == "1,000"
    assert result.warnings == [
        warning("ignored_rows_above_header", count=2),
        warning("ignored_blank_rows", count=1, rows="8"),
        warning("ignored_note_rows", count=1, rows="9"),
    ]


def test_vertically_merged_header_cells_are_seen_in_the_months_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    visitors_sheet(workbook, "令和6年度", vertical_merges=True)
    table = read_table(save(workbook, tmp_path / "a.xlsx"), VISITOR_COLUMNS).sheets[0]
    # The months row names every column by itself (市町名, 合計 filled down), so row 3 reads as a title.
    assert table.header == VISITOR_COLUMNS
    assert "令和6年度" in " ".join(table.title_lines)
    assert list(table.cells.index) == [5, 6, 7]


def test_all_sheets_reads_every_visible_table_and_skips_the_rest(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"  # left empty: no warning
    workbook.create_sheet("説明")["A1"] = "このブックは観光入込客数です。"
    visitors_sheet(workbook, "令和5年度", vertical_merges=False)
    visitors_sheet(workbook, "令和6年度", vertical_merges=True)
    visitors_sheet(workbook, "作業用", vertical_merges=False)
    workbook["作業用"].sheet_state = "hidden"
    path = save(workbook, tmp_path / "a.xlsx")

    result = read_table(path, VISITOR_COLUMNS, all_sheets=True)
    assert [table.name for table in result.sheets] == ["令和5年度", "令和6年度"]
    assert result.warnings[0] == warning("ignored_sheet", sheet="説明")
    assert result.warnings[1:] == result.sheets[0].warnings + result.sheets[1].warnings

    first_only = read_table(path, VISITOR_COLUMNS)
    assert [table.name for table in first_only.sheets] == ["令和5年度"]
    assert first_only.warnings[0] == warning("ignored_sheet", sheet="説明")


def test_merged_cell_in_the_data_area_keeps_its_value_top_left_only(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["名称", "ID", "備考"])
    sheet.append(["津城跡", 1, "共通の備考"])
    sheet.append(["四日市港", 2, None])
    sheet.merge_cells("C2:C3")
    cells = read_table(save(workbook, tmp_path / "a.xlsx"), ["名称", "ID", "備考"]).sheets[0].cells
    assert list(cells[2]) == ["共通の備考", ""]


def test_table_starting_in_column_b_drops_the_margin_column(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B2"] = "名称"
    sheet["C2"] = "ID"
    sheet["B3"] = "津城跡"
    sheet["C3"] = 1
    result = read_table(save(workbook, tmp_path / "a.xlsx"), ["名称", "ID"])
    assert result.sheets[0].header == ["名称", "ID"]
    assert list(result.sheets[0].cells.loc[3]) == ["津城跡", "1"]
    assert result.warnings == [warning("ignored_empty_columns", count=1)]


def test_wrong_dimension_record_does_not_hide_rows(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["名称", "ID"])
    for i in range(5):
        sheet.append([f"施設{i}", i])
    path = save(workbook, tmp_path / "a.xlsx")
    # Rewrite <dimension ref="A1:B6"/> as A1 only, as some writers do.
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    assert b'<dimension ref="A1:B6"' in parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'ref="A1:B6"', b'ref="A1"')
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    assert len(read_table(path, ["名称", "ID"]).sheets[0].cells) == 5


def test_xlsx_named_csv_is_read_as_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["名称", "ID"])
    workbook.active.append(["津城跡", 1])
    result = read_table(save(workbook, tmp_path / "submission.csv"), ["名称", "ID"])
    assert result.format == "xlsx"


def test_csv_named_xlsx_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes("名称,ID\n津城跡,1\n".encode("cp932"))
    assert (read_table(path, ["名称", "ID"]).format, read_table(path, ["名称", "ID"]).encoding) == ("csv", "cp932")


def test_workbook_without_header(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["a", "b"])
    workbook.active.append([1, 2])
    with pytest.raises(UnreadableFile) as raised:
        read_table(save(workbook, tmp_path / "a.xlsx"), ["名称", "ID"])
    assert raised.value.finding == error("header_not_found", expected="名称、ID", searched=2)


def test_empty_workbook_is_empty(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.create_sheet("Sheet2")
    with pytest.raises(UnreadableFile) as raised:
        read_table(save(workbook, tmp_path / "a.xlsx"), ["名称", "ID"])
    assert raised.value.finding == error("file_empty")


def test_single_column_sheet_is_not_a_table(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    for line in ("お世話になっております。", "資料を送ります。"):
        workbook.active.append([line])
    with pytest.raises(UnreadableFile) as raised:
        read_table(save(workbook, tmp_path / "a.xlsx"), ["名称", "ID"])
    assert raised.value.finding.code == "not_a_table"


def test_xls_tourist_visitors_fixture() -> None:
    """tourist_visitors.xls (make_xls.py): 説明, 令和5年度, 令和6年度, hidden 作業用; merged two-row header."""
    result = read_table(FIXTURES / "tourist_visitors.xls", VISITOR_COLUMNS, all_sheets=True)
    assert (result.format, result.encoding) == ("xls", None)
    assert [table.name for table in result.sheets] == ["令和5年度", "令和6年度"]
    table = result.sheets[1]
    assert table.header == VISITOR_COLUMNS
    assert table.title_lines == ["令和6年度 観光入込客数", "（単位：人）", "市町名 令和6年度 合計"]
    assert list(table.cells.index) == [5, 6, 7]
    assert list(table.cells.loc[5]) == ["津市", *map(str, range(2001, 2013)), "24078"]
    assert list(table.cells.loc[7]) == ["県計"] + [""] * 13
    assert result.warnings[0] == warning("ignored_sheet", sheet="説明")
    assert table.warnings == [
        warning("ignored_rows_above_header", count=3),
        warning("ignored_blank_rows", count=1, rows="8"),
        warning("ignored_note_rows", count=1, rows="9"),
    ]


def test_xls_cell_values_fixture() -> None:
    result = read_table(FIXTURES / "cell_values.xls", ["名称", "全国地方公共団体コード", "緯度"])
    cells = result.sheets[0].cells
    assert list(cells.loc[2]) == [
        "鳥羽水族館",
        "242110",
        "34.481389",
        "2024-04-01",
        "09:00",
        "2024-04-01 10:30",
        "TRUE",
        "",
    ]
    assert list(cells.loc[3])[:2] == ["伊勢神宮", "242039"]


def _ole(*streams: str) -> bytes:
    # An OLE2 header and directory names (UTF-16LE) are all the reader looks at after xlrd gives up.
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"".join(s.encode("utf-16-le") for s in streams)


def test_password_protected_office_file(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(_ole("EncryptionInfo", "EncryptedPackage"))
    with pytest.raises(UnreadableFile) as raised:
        read_table(path, ["名称", "ID"])
    assert raised.value.finding.code == "not_a_table"
    assert "パスワード" in raised.value.finding.message


def test_word_97_document(tmp_path: Path) -> None:
    path = tmp_path / "a.xls"
    path.write_bytes(_ole("WordDocument", "1Table"))
    with pytest.raises(UnreadableFile) as raised:
        read_table(path, ["名称", "ID"])
    assert raised.value.finding == error("unsupported_format", detail="Word 文書（.doc）")


def test_date_serials_excel_cannot_show_are_findings(tmp_path: Path) -> None:
    """-1 (Excel shows #####), 60 (the fictitious 1900-02-29), past 9999-12-31: openpyxl would make dates of some."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["名称", "登録日"])
    for number, serial in enumerate((-1, 60, 2958466, 45383), 2):
        sheet.cell(number, 1, f"施設{number}")
        sheet.cell(number, 2, serial).number_format = "yyyy/m/d"
    result = read_table(save(workbook, tmp_path / "a.xlsx"), ["名称", "登録日"])
    assert [(f.code, f.row, f.column) for f in result.errors] == [
        ("excel_date_out_of_range", 2, "登録日"),
        ("excel_date_out_of_range", 3, "登録日"),
        ("excel_date_out_of_range", 4, "登録日"),
    ]
    assert "存在しない1900年2月29日" in result.errors[1].message
    assert list(result.sheets[0].cells[1]) == ["-1", "60", "2958466", "2024-04-01"]


def test_formatted_empty_rows_and_columns_are_not_read(tmp_path: Path) -> None:
    """A fill over A1:Z5000 is 130,000 empty cells in the XML; the table is the two rows with values."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["名称", "ID"])
    sheet.append(["津城跡", 1])
    fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
    for row in sheet.iter_rows(min_row=1, max_row=5000, max_col=26):
        for cell in row:
            cell.fill = fill
    result = read_table(save(workbook, tmp_path / "a.xlsx"), ["名称", "ID"])
    table = result.sheets[0]
    assert list(table.cells.index) == [2] and table.header == ["名称", "ID"]
    assert result.warnings == []


def test_control_characters_xml_allows_are_findings(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["名称", "ID"])
    workbook.active.append(["津\x85市", 1])  # NEL: allowed in XML, invisible in a cell
    result = read_table(save(workbook, tmp_path / "a.xlsx"), ["名称", "ID"])
    assert result.errors == [error("control_character", row=2, column="名称", character="U+0085")]
