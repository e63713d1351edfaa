"""Bounds a read stays within: refused with a finding naming the bound, before the work it bounds."""

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.transforms.readers.reader_samples import WriteFile
from transforms.findings import UnreadableFile, error, more_findings
from transforms.readers import read_table
from transforms.readers.limits import cell_findings
from transforms.settings import ReadLimits

NAMES = ["名称", "ID", "備考"]
TEXT = "名称,ID,備考\r\n津城跡,1,\r\n鳥羽水族館,2,\r\n"


def refused(path: Path, limits: ReadLimits) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as raised:
        read_table(path, NAMES, limits=limits)
    return raised.value


def workbook_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_file_over_the_size_bound_is_refused_unread(write_file: WriteFile) -> None:
    path = write_file("a.csv", TEXT.encode())
    finding = refused(path, ReadLimits(file_bytes=20)).finding
    assert finding == error("file_too_large", size=f"{len(TEXT.encode())} バイト", limit="20 バイト")
    assert "上限 20 バイト" in finding.message


def test_xls_has_a_size_bound_of_its_own(write_file: WriteFile) -> None:
    # xlrd holds every cell of an .xls in memory: a smaller file makes as big a process.
    data = (Path(__file__).resolve().parents[2] / "fixtures" / "readers" / "cell_values.xls").read_bytes()
    finding = refused(write_file("a.xls", data), ReadLimits(xls_bytes=1000)).finding
    assert finding == error("file_too_large", size=f"{len(data):,} バイト", limit="1,000 バイト")


def test_text_wider_than_the_column_bound(write_file: WriteFile) -> None:
    path = write_file("a.csv", ("名称,ID,備考" + ",x" * 20 + "\n津城跡,1,\n").encode())
    assert refused(path, ReadLimits(columns=10)).finding == error("too_many_columns", count=23, limit=10)


def test_text_over_the_cell_bound_is_refused_before_its_body_is_parsed(write_file: WriteFile) -> None:
    path = write_file("a.csv", (TEXT + "津城跡,1,\r\n" * 40).encode())
    assert refused(path, ReadLimits(cells=100)).finding.code == "too_many_cells"
    assert read_table(path, NAMES, limits=ReadLimits(cells=200)).sheets[0].cells.shape == (42, 3)


def test_blank_lines_after_the_table_do_not_count_against_the_cell_bound(write_file: WriteFile) -> None:
    path = write_file("a.csv", (TEXT + ",,\r\n" * 1000).encode())
    result = read_table(path, NAMES, limits=ReadLimits(cells=100))
    assert list(result.sheets[0].cells.index) == [2, 3]
    assert result.warnings == []


def test_xlsx_with_more_parts_than_the_bound(write_file: WriteFile) -> None:
    path = write_file("a.xlsx", workbook_bytes([NAMES, ["津城跡", 1]]))
    assert refused(path, ReadLimits(xlsx_parts=3)).finding.code == "xlsx_too_many_parts"


def test_xlsx_sheet_over_its_bound_is_refused_from_the_zip_directory(write_file: WriteFile) -> None:
    path = write_file("a.xlsx", workbook_bytes([NAMES, *[["津城跡", n] for n in range(200)]]))
    finding = refused(path, ReadLimits(xlsx_sheet_bytes=1000)).finding
    assert finding.code == "xlsx_part_too_large"
    assert "xl/worksheets/sheet1.xml" in finding.message and "上限 1,000 バイト" in finding.message


def test_xlsx_part_that_compresses_too_well_is_refused(write_file: WriteFile) -> None:
    source = io.BytesIO(workbook_bytes([NAMES, ["津城跡", 1]]))
    padded = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/styles.xml":
                data = data.replace(b"<fonts", b" " * (4 << 20) + b"<fonts", 1)
            copy.writestr(item.filename, data)
    path = write_file("a.xlsx", padded.getvalue())
    finding = refused(path, ReadLimits()).finding
    assert finding.code == "xlsx_compression_ratio" and "xl/styles.xml" in finding.message


def test_xlsx_unpacked_total_over_its_bound(write_file: WriteFile) -> None:
    path = write_file("a.xlsx", workbook_bytes([NAMES, ["津城跡", 1]]))
    assert refused(path, ReadLimits(xlsx_unpacked_bytes=2000)).finding.code == "xlsx_too_large"


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx"])
def test_read_over_its_time_bound(write_file: WriteFile, name: str) -> None:
    rows = [NAMES, *[["津城跡", str(n), ""] for n in range(3000)]]
    data = workbook_bytes(rows) if name.endswith("xlsx") else "".join(",".join(r) + "\n" for r in rows).encode()
    finding = refused(write_file(name, data), ReadLimits(read_seconds=0.000001)).finding
    assert finding == error("read_too_slow", limit=0.000001)


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx"])
def test_cell_longer_than_the_bound_is_a_finding_on_its_row_and_column(write_file: WriteFile, name: str) -> None:
    rows = [NAMES, ["津城跡", "1", ""], ["鳥羽水族館", "2", "とても長い備考です"]]
    data = workbook_bytes(rows) if name.endswith("xlsx") else "".join(",".join(r) + "\n" for r in rows).encode()
    result = read_table(write_file(name, data), NAMES, limits=ReadLimits(cell_chars=8))
    assert result.errors == [error("cell_too_long", row=3, column="備考", length=9, limit=8)]


def test_cell_findings_past_the_kept_number_are_counted() -> None:
    cells = pd.DataFrame({0: ["a\x07"] * 5, 1: ["b\x00"] * 3 + ["", ""]}, index=range(2, 7), dtype=object)
    found = cell_findings(cells, ["名称", "備考"], ReadLimits(findings_per_code=2), controls=True)
    assert [(f.code, f.row, f.column) for f in found[:2]] == [
        ("control_character", 2, "名称"),
        ("control_character", 3, "名称"),
    ]
    assert found[2:] == [more_findings("control_character", count=6, kept=2)]
