"""Finding the header row: the row whose cells name the most of the expected columns."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from transforms.findings import UnreadableFile, error

# Departments put a title, a date and a unit line or two above the table; 50 rows is generous.
HEADER_SEARCH_ROWS = 50


def header_key(text: str) -> str:
    """The form header cells and contract names are compared in: NFKC, no whitespace at all.

    Full-width brackets and digits fold to ASCII and a line break typed inside a cell
    (Alt+Enter) disappears: "料金（基本）" → "料金(基本)", "市町\\n名" → "市町名".
    """
    return "".join(unicodedata.normalize("NFKC", text).split())


def name_keys(header_names: Sequence[str]) -> set[str]:
    return {key for key in map(header_key, header_names) if key}


def required_matches(header_names: Sequence[str]) -> int:
    """How many expected names a row must hold to be the header: 2, or 1 for a one-column contract."""
    return 1 if len(name_keys(header_names)) == 1 else 2


@dataclass(frozen=True)
class HeaderMatch:
    row: int  # position of the (first) header row in the rows searched
    depth: int  # 1, or 2 when the row below completes the header
    names: list[str]  # one combined, stripped name per column
    matched: int  # how many distinct expected names the header holds
    leftovers: list[str]  # header-row texts not used as a column name (e.g. a merged "令和6年度")


def find_header(rows: Sequence[Sequence[str]], header_names: Sequence[str]) -> HeaderMatch | None:
    """The first of the first 50 rows naming the most expected columns, with the row below if it completes it.

    A row is taken together with the row below when that row names further columns where
    the row itself names none (市町名 | 令和6年度 … | 合計 over | 4月 … 3月 |) and the pair
    names more than the lower row alone: a title row that happens to hold one column name
    over a complete header row stays a title.
    """
    keys = name_keys(header_names)
    need = required_matches(header_names)
    scores = [_matches(row, keys) for row in rows[: HEADER_SEARCH_ROWS + 1]]
    best: HeaderMatch | None = None
    for index, own in enumerate(scores[:HEADER_SEARCH_ROWS]):
        if not own:
            continue
        below = scores[index + 1] if index + 1 < len(scores) else {}
        added = {key for col, key in below.items() if col not in own} - set(own.values())
        matched = len(set(own.values()))
        pair = matched + len(added)
        if added and pair > len(set(below.values())) and pair >= need:
            if best is None or pair > best.matched:
                names, leftovers = _combine(rows[index], rows[index + 1], keys)
                best = HeaderMatch(index, 2, names, pair, leftovers)
        elif matched >= need and (best is None or matched > best.matched):
            best = HeaderMatch(index, 1, [cell.strip() for cell in rows[index]], matched, [])
    return best


def header_not_found(header_names: Sequence[str], searched: int) -> UnreadableFile:
    expected = "、".join(header_names[:3])
    return UnreadableFile(error("header_not_found", expected=expected, searched=searched))


def _matches(row: Sequence[str], keys: set[str]) -> dict[int, str]:
    found = {}
    for col, cell in enumerate(row):
        key = header_key(cell)
        if key in keys:
            found[col] = key
    return found


def _combine(upper: Sequence[str], lower: Sequence[str], keys: set[str]) -> tuple[list[str], list[str]]:
    """One name per column: the cell naming an expected column, else the non-empty (lower, more specific) one."""
    names: list[str] = []
    leftovers: list[str] = []
    for col in range(max(len(upper), len(lower))):
        top = upper[col].strip() if col < len(upper) else ""
        bottom = lower[col].strip() if col < len(lower) else ""
        if header_key(top) in keys or not bottom:
            chosen, unused = top, bottom
        else:
            chosen, unused = bottom, top
        names.append(chosen)
        if unused and unused != chosen and unused not in leftovers:
            leftovers.append(unused)
    return names, leftovers
