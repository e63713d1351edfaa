"""The hostile corpus: files a careless or malicious sender could hand `odl check`, written in code.

Each Case names the file it writes, the dataset it is checked against, the exit code odl must
give and the finding codes the JSON must hold. Run as a script to write the corpus to a folder:

    .venv/bin/python -m tests.hostile.corpus /tmp/hostile
"""

import codecs
import hashlib
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

DATASET = "csf-wild-boar"
HEADER = ["検体番号", "捕獲年月日", "市町名", "緯度", "経度", "検査結果", "検査年月日", "備考"]
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
MIB = 1 << 20


def good_row(number: int) -> list[str]:
    return [f"R6-{number:06d}", "2024-04-01", "津市", "34.70467", "136.49623", "陰性", "2024-04-10", ""]


def csv_text(rows: Iterable[Iterable[str]]) -> str:
    return "".join(",".join(row) + "\r\n" for row in rows)


def valid_rows(count: int) -> list[list[str]]:
    return [HEADER] + [good_row(n) for n in range(1, count + 1)]


# --- xlsx written by hand: every part is ours, so a case can make any part hostile -------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
# Style 1: a date (numFmt 14, yyyy/m/d); style 2: a fill, as a formatted-but-empty area has.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="游ゴシック"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/></patternFill></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/></cellXfs>'
    "</styleSheet>"
)
_SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
EMPTY_SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
)


def column_letter(index: int) -> str:
    """1 → A, 16384 → XFD."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def xml_row(number: int, values: list[str], dates: dict[int, float] | None = None) -> str:
    """A row of inline strings; `dates` puts a serial number with a date format in some columns."""
    cells = []
    for col, value in enumerate(values, 1):
        ref = f"{column_letter(col)}{number}"
        if dates and col in dates:
            cells.append(f'<c r="{ref}" s="1"><v>{dates[col]}</v></c>')
        elif value:
            cells.append(text_cell(ref, value))
    return f'<row r="{number}">{"".join(cells)}</row>'


def sheet_xml(rows: Iterable[str], *, dimension: str = "", before: str = "") -> Iterator[bytes]:
    """A worksheet's XML in chunks, so a case can stream hundreds of MiB without holding them."""
    yield (_SHEET_OPEN + (f'<dimension ref="{dimension}"/>' if dimension else "") + before + "<sheetData>").encode()
    batch: list[str] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 2000:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def write_xlsx(
    path: Path,
    sheet: Iterable[bytes],
    shared_strings: Iterable[bytes] = (EMPTY_SHARED_STRINGS.encode(),),
    extra: dict[str, bytes] | None = None,
) -> None:
    # Level 1: hundreds of MiB compress in seconds, and the ratio stays far above what a real workbook has.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            if name not in (extra or {}):
                book.writestr(name, text)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared_strings)):
            with book.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
        for name, data in (extra or {}).items():
            book.writestr(name, data)


def table_rows(rows: list[list[str]], first: int = 1) -> Iterator[str]:
    return (xml_row(number, row) for number, row in enumerate(rows, first))


# --- the cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    write: Callable[[Path], None]
    exit_code: int
    codes: frozenset[str] = frozenset()  # finding codes (errors or warnings) the JSON must hold
    env: dict[str, str] = field(default_factory=dict)  # limits lowered for this case only
    why: str = ""


def _write_text(text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return _write_bytes(text.encode(encoding))


def _write_bytes(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def _formatted_empty_rows(path: Path) -> None:
    styled = "".join(f'<c r="{column_letter(col)}{{n}}" s="2"/>' for col in range(1, 9))
    empty = (f'<row r="{n}" s="2" customFormat="1">{styled.format(n=n)}</row>' for n in range(22, EXCEL_ROWS + 1))
    rows = [*table_rows(valid_rows(20)), *empty]
    write_xlsx(path, sheet_xml(rows, dimension=f"A1:H{EXCEL_ROWS}"))


def _formatted_empty_columns(path: Path) -> None:
    # 300 rows styled out to XFD: Excel's "format whole row" leaves exactly this.
    tail = "".join(f'<c r="{column_letter(col)}{{n}}" s="2"/>' for col in range(9, EXCEL_COLUMNS + 1))
    rows = (xml_row(n, row)[:-6] + tail.format(n=n) + "</row>" for n, row in enumerate(valid_rows(300), 1))
    write_xlsx(path, sheet_xml(rows, dimension="A1:XFD301"))


def _serial_dates(path: Path) -> None:
    # Row 2: -1 (Excel shows #####), row 3: 60 (the fictitious 1900-02-29), row 4: past 9999-12-31, row 5: fine.
    rows = [xml_row(1, HEADER)]
    for number, serial in ((2, -1.0), (3, 60.0), (4, 2958466.0), (5, 45383.0)):
        rows.append(xml_row(number, good_row(number), dates={2: serial}))
    write_xlsx(path, sheet_xml(rows))


def _xlsx_control_characters(path: Path) -> None:
    # XML 1.0 allows DEL and the C1 controls (U+0085 …) in text: they reach the cells.
    rows = valid_rows(3)
    rows[2][7] = "備考\x7f"
    rows[3][2] = "津\x85市"
    write_xlsx(path, sheet_xml(table_rows(rows)))


def _xlsx_nul_reference(path: Path) -> None:
    # A NUL cannot be in XML at all, not even as &#0;: the part is not well-formed.
    rows = [xml_row(1, HEADER), '<row r="2"><c r="A2" t="inlineStr"><is><t>R6&#0;1</t></is></c></row>']
    write_xlsx(path, sheet_xml(rows))


def _bomb_sheet_cells(path: Path) -> None:
    # 560 MiB of real cells (each "1", 20 to a row): compresses to a few MiB.
    row = "".join(f'<c r="{column_letter(col)}{{n}}"><v>1</v></c>' for col in range(1, 21))
    per_row = len(row) + 60
    count = min(EXCEL_ROWS - 2, 560 * MIB // per_row)
    rows = [xml_row(1, HEADER), *(f'<row r="{n}">{row.format(n=n)}</row>' for n in range(2, count + 2))]
    write_xlsx(path, sheet_xml(rows))


def _bomb_whitespace(path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        parts = sheet_xml(table_rows(valid_rows(3)))
        yield next(parts)
        blank = b" " * MIB
        for _ in range(600):
            yield blank
        yield from parts

    write_xlsx(path, chunks())


def _bomb_shared_string(path: Path) -> None:
    def shared() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        block = "あ".encode() * (MIB // 3)
        for _ in range(520 * MIB // len(block)):
            yield block
        yield b"</t></si></sst>"

    rows = valid_rows(2)
    sheet = [xml_row(1, rows[0]), xml_row(2, rows[1])[:-6] + '<c r="H2" t="s"><v>0</v></c></row>']
    write_xlsx(path, sheet_xml(sheet), shared())


def _bloated_styles(path: Path) -> None:
    # 300,000 cell formats (Excel itself stops at 64,000): 18 MiB that openpyxl would parse for 15 s.
    formats = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * 300_000
    styles = _STYLES.replace('<cellXfs count="3">', '<cellXfs count="300003">' + formats)
    write_xlsx(path, sheet_xml(table_rows(valid_rows(3))), extra={"xl/styles.xml": styles.encode()})


def _many_shared_strings(path: Path) -> None:
    def shared() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for start in range(0, 1_500_000, 10_000):
            yield "".join(f"<si><t>文字列{n}</t></si>" for n in range(start, start + 10_000)).encode()
        yield b"</sst>"

    write_xlsx(path, sheet_xml(table_rows(valid_rows(3))), shared())


def _many_entries(path: Path) -> None:
    write_xlsx(path, sheet_xml(table_rows(valid_rows(3))), extra={f"xl/media/x{n}.bin": b"" for n in range(30_000)})


def _deep_xml(path: Path) -> None:
    # 100,000 nested elements in front of the data, numbered so that they do not simply compress away.
    depth = 100_000
    before = "<extLst>" + "".join(f'<ext uri="{n * 7919 % 100_003}">' for n in range(depth)) + "</ext>" * depth
    write_xlsx(path, sheet_xml(table_rows(valid_rows(3)), before=before + "</extLst>"))


def _billion_laughs(path: Path) -> None:
    entities = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10)
    )
    sheet = sheet_xml([xml_row(1, HEADER), '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'])
    first = next(sheet).replace(b"<worksheet", (entities + "]><worksheet").encode(), 1)
    write_xlsx(path, [first, *sheet])


def _broken_zip(path: Path) -> None:
    _valid_xlsx(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _bad_crc_xlsx(path: Path) -> None:
    _valid_xlsx(path)
    with zipfile.ZipFile(path) as book:
        part = book.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    # The part's compressed bytes start after its local header (30 bytes, its name and its extra field).
    local = part.header_offset
    start = local + 30 + int.from_bytes(data[local + 26 : local + 28], "little")
    start += int.from_bytes(data[local + 28 : local + 30], "little")
    data[start + part.compress_size // 2] ^= 0x55
    path.write_bytes(bytes(data))


def _valid_xlsx(path: Path) -> None:
    write_xlsx(path, sheet_xml(table_rows(valid_rows(5))))


def _wide_csv_named(extra: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        header = HEADER + [f"列{n}" for n in range(extra)]
        rows = [header] + [good_row(n) + ["x"] * extra for n in range(1, 6)]
        path.write_text(csv_text(rows), encoding="utf-8")

    return write


def _wide_csv_empty(path: Path) -> None:
    path.write_text(csv_text(row + [""] * 100_000 for row in valid_rows(50)), encoding="utf-8")


def _csv_formatted_columns(path: Path) -> None:
    # Excel's CSV of a sheet formatted out to XFD: every line carries 16,376 empty fields.
    path.write_text(csv_text(row + [""] * (EXCEL_COLUMNS - len(row)) for row in valid_rows(300)), encoding="utf-8")


def _nul_past_sniff(path: Path) -> None:
    rows = valid_rows(300)  # ~17 KB: the NUL sits past the first 8 KB
    rows[250][7] = "前\0後"
    path.write_text(csv_text(rows), encoding="utf-8")


def _text_control_characters(path: Path) -> None:
    rows = valid_rows(5)
    rows[2][7] = "ベル\x07"
    rows[4][2] = "津\x1b[31m市"
    rows[5][7] = "改ページ\x0c"
    path.write_text(csv_text(rows), encoding="utf-8")


def _many_findings(path: Path) -> None:
    rows = valid_rows(100_000)
    for row in rows[1:]:
        row[1] = "昨日"
        row[5] = "不明"
    path.write_text(csv_text(rows), encoding="utf-8")


def _same_key_everywhere(path: Path) -> None:
    rows = valid_rows(200_000)
    for row in rows[1:]:
        row[0] = "R6-000001"
    path.write_text(csv_text(rows), encoding="utf-8")


def _every_row_check_fails(path: Path) -> None:
    # Swapped coordinates and an inspection before the capture on every row: the table checks' findings.
    rows = valid_rows(150_000)
    for row in rows[1:]:
        row[3], row[4], row[6] = "136.49623", "34.70467", "2024-03-01"
    path.write_text(csv_text(rows), encoding="utf-8")


def _long_line(path: Path) -> None:
    rows = valid_rows(3)
    rows[2][7] = "長" * (40 * MIB // 3)
    path.write_text(csv_text(rows), encoding="utf-8")


def _long_line_no_breaks(path: Path) -> None:
    path.write_bytes(b"a" * (60 * MIB))


def _oversized(path: Path) -> None:
    # A sparse file: its size is over the bound without writing the bytes.
    with path.open("wb") as handle:
        handle.truncate(2 * 1024 * MIB)


def _too_many_cells(path: Path) -> None:
    width = 2_000
    header = HEADER + [f"列{n}" for n in range(width - len(HEADER))]
    line = ",".join(good_row(1) + ["1"] * (width - len(HEADER))) + "\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(header) + "\n")
        for _ in range(6_000):
            handle.write(line)


def _blank_lines(path: Path) -> None:
    path.write_text(csv_text(valid_rows(10)) + "\r\n" * 3_000_000, encoding="utf-8")


def _slow_xlsx(path: Path) -> None:
    write_xlsx(path, sheet_xml(table_rows(valid_rows(40_000))))


CASES: tuple[Case, ...] = (
    Case("valid_csv", "豚熱.csv", _write_text(csv_text(valid_rows(20))), 0, why="the control: a plain valid file"),
    Case("valid_xlsx", "豚熱.xlsx", _valid_xlsx, 0),
    Case(
        "cp932_excel_csv",
        "豚熱.csv",
        _write_text(csv_text(valid_rows(20)), "cp932"),
        0,
    ),
    Case("utf16le_no_bom", "豚熱.txt", _write_text(csv_text(valid_rows(20)).replace(",", "\t"), "utf-16-le"), 0),
    Case("utf16be_no_bom", "豚熱.csv", _write_text(csv_text(valid_rows(20)), "utf-16-be"), 0),
    Case(
        "utf16le_bom",
        "豚熱.txt",
        _write_bytes(codecs.BOM_UTF16_LE + csv_text(valid_rows(5)).encode("utf-16-le")),
        0,
    ),
    Case("utf32", "豚熱.csv", _write_text(csv_text(valid_rows(5)), "utf-32"), 2, frozenset({"unsupported_format"})),
    Case(
        "utf32_no_bom",
        "豚熱.csv",
        _write_text(csv_text(valid_rows(5)), "utf-32-le"),
        2,
        frozenset({"unsupported_format"}),
    ),
    Case("empty_file", "豚熱.csv", _write_bytes(b""), 2, frozenset({"file_empty"})),
    Case("only_bom", "豚熱.csv", _write_bytes(codecs.BOM_UTF8), 2, frozenset({"file_empty"})),
    Case("random_binary", "豚熱.csv", _write_bytes(bytes(range(256)) * 64), 2, frozenset({"unsupported_format"})),
    Case(
        "formatted_empty_rows",
        "豚熱.xlsx",
        _formatted_empty_rows,
        0,
        why="1,048,576 styled rows under 20 data rows: read in seconds, not row by row",
    ),
    Case("formatted_empty_columns", "豚熱.xlsx", _formatted_empty_columns, 0, why="300 rows styled out to XFD"),
    Case("serial_dates", "豚熱.xlsx", _serial_dates, 1, frozenset({"excel_date_out_of_range"})),
    Case("xlsx_control_characters", "豚熱.xlsx", _xlsx_control_characters, 1, frozenset({"control_character"})),
    Case("xlsx_nul_reference", "豚熱.xlsx", _xlsx_nul_reference, 2, frozenset({"not_a_table"})),
    Case("bomb_sheet_cells", "豚熱.xlsx", _bomb_sheet_cells, 2, frozenset({"xlsx_part_too_large"})),
    Case("bomb_whitespace", "豚熱.xlsx", _bomb_whitespace, 2, frozenset({"xlsx_part_too_large"})),
    Case("bomb_shared_string", "豚熱.xlsx", _bomb_shared_string, 2, frozenset({"xlsx_part_too_large"})),
    Case("bloated_styles", "豚熱.xlsx", _bloated_styles, 2, frozenset({"xlsx_part_too_large"})),
    Case("many_shared_strings", "豚熱.xlsx", _many_shared_strings, 2, frozenset({"xlsx_part_too_large"})),
    Case("many_zip_entries", "豚熱.xlsx", _many_entries, 2, frozenset({"xlsx_too_many_parts"})),
    Case("deep_xml", "豚熱.xlsx", _deep_xml, 0, why="100,000 nested elements before the data: parsed, not recursed"),
    Case("billion_laughs", "豚熱.xlsx", _billion_laughs, 2, frozenset({"not_a_table"})),
    Case("broken_zip", "豚熱.xlsx", _broken_zip, 2, frozenset({"unsupported_format"})),
    Case("bad_crc_xlsx", "豚熱.xlsx", _bad_crc_xlsx, 2, frozenset({"not_a_table"})),
    Case(
        "wide_csv_named",
        "豚熱.csv",
        _wide_csv_named(100_000),
        2,
        frozenset({"too_many_columns"}),
        why="a valid CSV plus 100,000 named columns: wider than Excel, refused before the body is parsed",
    ),
    Case(
        "wide_csv_within_bound",
        "豚熱.csv",
        _wide_csv_named(3_000),
        0,
        frozenset({"ignored_unknown_column", "more_findings"}),
        why="3,000 columns the contract does not know: read, their warnings summarised",
    ),
    Case("wide_csv_empty", "豚熱.csv", _wide_csv_empty, 2, frozenset({"too_many_columns"})),
    Case(
        "csv_formatted_columns",
        "豚熱.csv",
        _csv_formatted_columns,
        0,
        frozenset({"ignored_empty_columns"}),
        why="as wide as Excel allows, all but 8 columns empty: the empty ones are dropped before pandas sees them",
    ),
    Case("nul_past_sniff", "豚熱.csv", _nul_past_sniff, 1, frozenset({"control_character"})),
    Case("text_control_characters", "豚熱.csv", _text_control_characters, 1, frozenset({"control_character"})),
    Case(
        "many_findings",
        "豚熱.csv",
        _many_findings,
        1,
        frozenset({"invalid_date", "invalid_choice", "more_findings"}),
    ),
    Case(
        "same_key_everywhere",
        "豚熱.csv",
        _same_key_everywhere,
        1,
        frozenset({"duplicate_key", "more_findings"}),
        why="200,000 rows repeating one key: a hundred duplicate_key findings and a count of the rest",
    ),
    Case(
        "every_row_check_fails",
        "豚熱.csv",
        _every_row_check_fails,
        1,
        frozenset({"coordinates_swapped", "date_order", "more_findings"}),
    ),
    Case("long_cell", "豚熱.csv", _long_line, 1, frozenset({"cell_too_long"})),
    Case("long_line_no_breaks", "豚熱.csv", _long_line_no_breaks, 2, frozenset({"not_a_table"})),
    Case("oversized_file", "豚熱.csv", _oversized, 2, frozenset({"file_too_large"})),
    Case("too_many_cells", "豚熱.csv", _too_many_cells, 2, frozenset({"too_many_cells"})),
    Case("trailing_blank_lines", "豚熱.csv", _blank_lines, 0),
    Case(
        "wall_time",
        "豚熱.xlsx",
        _slow_xlsx,
        2,
        frozenset({"read_too_slow"}),
        env={"ODL_MAX_READ_SECONDS": "1"},
        why="the per-file time bound, lowered so that a legitimate 40,000-row workbook passes it",
    ),
)


def cached_folder(root: Path) -> Path:
    """root/<hash of this module>: the corpus is written once per version of its generator; older ones go."""
    version = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    if root.is_dir():
        for old in root.iterdir():
            if old.name != version:
                shutil.rmtree(old)
    return root / version


def write_corpus(folder: Path, cases: Iterable[Case] = CASES) -> dict[str, Path]:
    """Each case's file under folder/<case name>/, written once (a second call reuses them)."""
    paths = {}
    for case in cases:
        path = folder / case.name / case.file
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial")
            case.write(partial)
            partial.rename(path)
        paths[case.name] = path
    return paths


if __name__ == "__main__":
    for name, written in write_corpus(Path(sys.argv[1])).items():
        print(f"{name:28} {written.stat().st_size:>14,} {written}")
