"""What a file is (by its bytes, not its name) and how its text is encoded."""

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from transforms.findings import UnreadableFile, error

SNIFF_BYTES = 8192

# The end record of a zip sits in its last 22 bytes plus a comment of at most 64 KiB.
_EOCD_SEARCH = 22 + (1 << 16)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, but also .doc/.ppt and encrypted .xlsx

# Formats departments send by mistake, by their leading bytes.
_MAGIC = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG 画像"),
    (b"\xff\xd8\xff", "JPEG 画像"),
    (b"GIF8", "GIF 画像"),
    (b"II*\x00", "TIFF 画像"),
    (b"MM\x00*", "TIFF 画像"),
    (b"\x1f\x8b", "gzip 圧縮ファイル"),
    (b"Rar!", "RAR 圧縮ファイル"),
    (b"7z\xbc\xaf", "7z 圧縮ファイル"),
    (b"{\\rtf", "リッチテキスト（RTF）"),
)

# Inside a zip: which Office/ODF part says what the document is.
_ZIP_MEMBERS = (
    ("xl/workbook.bin", "Excel バイナリブック（.xlsb）"),
    ("word/document.xml", "Word 文書（.docx）"),
    ("ppt/presentation.xml", "PowerPoint（.pptx）"),
    ("content.xml", "OpenDocument 文書（.ods など）"),
)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)

# Replacement characters and control codes: what garbage decodes to.
_SUSPICIOUS = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def unsupported(detail: str) -> UnreadableFile:
    return UnreadableFile(error("unsupported_format", detail=detail))


def sniff_format(path: Path, max_zip_entries: int = 10_000) -> Literal["xlsx", "xls", "text"]:
    """ "xlsx", "xls" or "text" from the leading bytes; raises for empty files and other formats."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        raise UnreadableFile(error("file_empty"))
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(path, max_zip_entries)
    if head.startswith(OLE2_MAGIC):
        return "xls"  # other OLE2 documents are told apart when xlrd opens them
    for magic, label in _MAGIC:
        if head.startswith(magic):
            raise unsupported(label)
    markup = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if markup.startswith((b"<!doctype html", b"<html")):
        # Some systems save an HTML table under a .xls name.
        raise unsupported("HTML（Web ページ）")
    if markup.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in markup:
        raise unsupported("XML スプレッドシート 2003")
    return "text"


def _zip_format(path: Path, max_entries: int) -> Literal["xlsx"]:
    # zipfile builds an object per entry before anything can be checked: count them in the end record first.
    entries = _zip_entry_count(path)
    if entries > max_entries:
        raise UnreadableFile(error("xlsx_too_many_parts", count=entries, limit=max_entries))
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise unsupported("壊れた ZIP ファイル") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    for member, label in _ZIP_MEMBERS:
        if member in names:
            raise unsupported(label)
    raise unsupported("ZIP 圧縮ファイル")


def _zip_entry_count(path: Path) -> int:
    """Entries the zip's end-of-central-directory record declares (65535 when it needs Zip64); 0 if none found."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - _EOCD_SEARCH))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 12 > len(tail):
        return 0
    return int.from_bytes(tail[at + 10 : at + 12], "little")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # as reported: "utf-8", "utf-8-sig", "cp932", "utf-16"; "utf-16-le"/"-be" without a BOM
    damaged: bool  # some bytes did not decode and are U+FFFD in `text`


def decode_text(data: bytes) -> DecodedText:
    """Decode by BOM; else strict UTF-8; else strict cp932; else whichever loses fewer bytes, if only a few.

    cp932, never shift_jis: shift_jis cannot decode ①, ㈱, 髙, ～ that Windows users type.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE starts both
        raise unsupported("UTF-32 テキスト")
    for bom, label, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return DecodedText(body.decode(codec), label, damaged=False)
            except UnicodeDecodeError:
                return _damaged(body.decode(codec, "replace"), label)
    if b"\x00" in data[:SNIFF_BYTES]:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        raise unsupported("バイナリファイル")
    for codec in ("utf-8", "cp932"):
        try:
            return DecodedText(data.decode(codec), codec, damaged=False)
        except UnicodeDecodeError:
            pass
    candidates = [(data.decode(codec, "replace"), codec) for codec in ("utf-8", "cp932")]
    text, codec = min(candidates, key=lambda candidate: candidate[0].count("\ufffd"))
    return _damaged(text, codec)


def _utf16_without_bom(data: bytes) -> DecodedText | None:
    """UTF-16 text some exporters write without a BOM: NULs in one byte of every pair (ASCII, digits, commas).

    Binary files have NULs too, but not on one side only; the strict decode and the
    control-character count then tell text from an image that happens to look so.
    """
    head = data[:SNIFF_BYTES]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(data) % 2 or max(even, odd) < len(head) // 8 or min(even, odd) > max(even, odd) // 20:
        return None
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if len(_SUSPICIOUS.findall(text[: SNIFF_BYTES // 2])) > 4:
        return None
    return DecodedText(text, codec, damaged=False)


def _damaged(text: str, encoding: str) -> DecodedText:
    """Keep text that lost a few bytes (reported per row later); refuse text that is mostly garbage."""
    if len(_SUSPICIOUS.findall(text)) > max(4, len(text) // 100):
        raise UnreadableFile(error("undecodable"))
    return DecodedText(text, encoding, damaged=True)
