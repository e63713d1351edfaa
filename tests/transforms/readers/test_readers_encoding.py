"""Encodings departments' tools write, damaged bytes, and files that are no table at all."""

import io
import zipfile

import pytest

from tests.transforms.readers.reader_samples import WriteFile
from transforms.findings import UnreadableFile, error, warning
from transforms.readers import read_table

NAMES = ["名称", "ID", "備考"]
TEXT = "名称,ID,備考\r\n①㈱髙～,1,－∥￢\r\n津城跡,2,\r\n"


def unreadable(path_bytes: bytes, write_file: WriteFile, name: str = "a.csv") -> UnreadableFile:
    with pytest.raises(UnreadableFile) as raised:
        read_table(write_file(name, path_bytes), NAMES)
    return raised.value


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("cp932"), "cp932"),
        # Some exporters write UTF-16 without the BOM Excel writes: told by the NULs on one side of each pair.
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_text_encodings(write_file: WriteFile, data: bytes, encoding: str) -> None:
    result = read_table(write_file("a.csv", data), NAMES)
    assert result.encoding == encoding
    table = result.sheets[0]
    assert table.header == NAMES  # no BOM left on the first name
    assert list(table.cells.loc[2]) == ["①㈱髙～", "1", "－∥￢"]
    assert result.errors == []


def test_cp932_bytes_shift_jis_cannot_decode_or_decodes_differently(write_file: WriteFile) -> None:
    # ① ㈱ 髙 (NEC and IBM forms) ～ －: Windows users type them; shift_jis fails or maps 8160/817C elsewhere.
    cells = b"\x87\x40\x87\x8a\xfb\xfc\xee\xe0\x81\x60\x81\x7c"
    data = "名称,ID,備考\n".encode("cp932") + cells + b",1,\n"
    assert read_table(write_file("a.csv", data), NAMES).sheets[0].cells.loc[2, 0] == "①㈱髙髙～－"
    with pytest.raises(UnicodeDecodeError):
        cells.decode("shift_jis")
    assert b"\x81\x60\x81\x7c".decode("shift_jis") != "～－"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_excel_unicode_text_is_utf16_with_bom_and_tabs(write_file: WriteFile, codec: str) -> None:
    bom = "\ufeff".encode(codec)
    data = bom + "令和6年度\t\t\r\n名称\tID\t備考\r\n①㈱\t1\t\r\n".encode(codec)
    result = read_table(write_file("a.txt", data), NAMES)
    assert (result.format, result.encoding) == ("txt", "utf-16")
    table = result.sheets[0]
    assert table.title_lines == ["令和6年度"]
    assert list(table.cells.loc[3]) == ["①㈱", "1", ""]


def test_undecodable_bytes_are_reported_on_their_rows(write_file: WriteFile) -> None:
    lines = ["名称,ID,備考"] + [f"施設{i},{i},説明{i}" for i in range(20)]
    data = bytearray("\r\n".join(lines).encode("cp932") + b"\r\n")
    bad_line_6 = data.index("施設4".encode("cp932"))
    data[bad_line_6 : bad_line_6 + 2] = b"\x85\x40"  # not assigned in cp932
    bad_line_15 = data.index("説明13".encode("cp932"))
    data[bad_line_15 : bad_line_15 + 2] = b"\x81\x20"  # a lead byte without its trail byte
    result = read_table(write_file("a.csv", bytes(data)), NAMES)
    assert result.encoding == "cp932"
    assert result.errors == [error("undecodable_bytes", row=6), error("undecodable_bytes", row=15)]
    cells = result.sheets[0].cells
    assert "\ufffd" in cells.loc[6, 0]
    assert cells.loc[7, 0] == "施設5"


def test_undecodable_bytes_inside_a_multiline_record_point_at_its_first_line(write_file: WriteFile) -> None:
    body = "名称,ID,備考\n" + "".join(f"施設{i},{i},\n" for i in range(10))
    data = body.encode("utf-8") + b'\xe6\xb4\xa5,11,"one\ntwo \xff"\n'
    result = read_table(write_file("a.csv", data), NAMES)
    assert result.encoding == "utf-8"
    assert result.errors == [error("undecodable_bytes", row=12)]
    assert result.sheets[0].cells.loc[12, 2] == "one\ntwo \ufffd"


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\t\r\n", b"\xef\xbb\xbf", b"\xff\xfe", "\ufeff\u3000\r\n".encode("utf-16-le")],
    ids=["zero-bytes", "whitespace", "utf8-bom-only", "utf16-bom-only", "utf16-whitespace"],
)
def test_empty_files(write_file: WriteFile, data: bytes) -> None:
    assert unreadable(data, write_file).finding == error("file_empty")


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG 画像"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG 画像"),
        (b"<!DOCTYPE html>\n<html><table><tr><td>\xe5\x90\x8d\xe7\xa7\xb0</td></tr></table>", "HTML（Web ページ）"),
        (
            b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "XML スプレッドシート 2003",
        ),
        (bytes(range(256)) * 8, "バイナリファイル"),
    ],
)
def test_unsupported_formats_by_their_bytes(write_file: WriteFile, data: bytes, detail: str) -> None:
    # Named .csv on purpose: the bytes decide, not the extension.
    assert unreadable(data, write_file).finding == error("unsupported_format", detail=detail)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("members", "detail"),
    [
        ({"data.csv": "名称,ID\n".encode()}, "ZIP 圧縮ファイル"),
        ({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}, "Word 文書（.docx）"),
        ({"xl/workbook.bin": b"\x00"}, "Excel バイナリブック（.xlsb）"),
    ],
)
def test_zip_that_is_not_xlsx(write_file: WriteFile, members: dict[str, bytes], detail: str) -> None:
    assert unreadable(_zip(members), write_file, "a.xlsx").finding == error("unsupported_format", detail=detail)


def test_truncated_zip(write_file: WriteFile) -> None:
    data = _zip({"xl/workbook.xml": b"<workbook/>"})[:40]
    assert unreadable(data, write_file, "a.xlsx").finding == error("unsupported_format", detail="壊れた ZIP ファイル")


def test_damaged_xlsx_is_not_a_table(write_file: WriteFile) -> None:
    data = _zip({"xl/workbook.xml": b"<not really", "[Content_Types].xml": b"<Types/>"})
    assert unreadable(data, write_file, "a.xlsx").finding.code == "not_a_table"


def test_mostly_garbage_text_is_undecodable(write_file: WriteFile) -> None:
    garbage = bytes((i * 73 + 41) % 255 + 1 for i in range(4000))  # every byte value but NUL, scrambled
    assert unreadable(garbage, write_file).finding == error("undecodable")


def test_nuls_on_both_sides_of_the_pairs_are_binary_not_utf16(write_file: WriteFile) -> None:
    data = TEXT.encode("utf-16-le").replace(b"1\x00", b"\x001")  # one pair turned round
    assert unreadable(data * 3 + b"\x00\x00" * 40, write_file).finding == error(
        "unsupported_format", detail="バイナリファイル"
    )


def test_warnings_are_findings_with_severity_warning(write_file: WriteFile) -> None:
    result = read_table(write_file("a.csv", "表題\n名称,ID\nA,1\n".encode()), NAMES)
    assert result.warnings == [warning("ignored_rows_above_header", count=1)]
    assert result.warnings[0].severity == "warning"
