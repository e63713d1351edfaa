"""What `q` search in Japanese reads from a DataStore table: `_odl_search` and `_odl_grams` (issue 14).

PostgreSQL's full-text parser keeps a Japanese cell as one token, so CKAN's `_full_text` finds only
whole cells. Instead every table odl loads carries two hidden columns (CKAN hides `_`-prefixed ones),
filled by the loader and read by ckanext-odl's `datastore_search` / `odl_record_search`:

- `_odl_search text`: U+001F, then every non-empty cell as the text CKAN serves, normalised
  (NFKC, then lower case, as Python does), joined by U+001F, then U+001F — so a word is matched
  with `LIKE '%word%'` and a whole cell with `LIKE '%\x1fword\x1f%'`;
- `_odl_grams text[]`: the distinct characters and pairs of adjacent characters of each normalised
  cell (never across two cells), under a GIN index: a word of one or two characters is one
  `@> ARRAY[word]`, a longer one is narrowed by its pairs and checked with LIKE.

The gram arrays are made here, distinct, as array literals, with numpy over the code points of many
rows at once, and COPYed in as they are: PostgreSQL only parses them. (Making them distinct in SQL,
`string_to_array` → `array_to_tsvector`, took about 18 s of a million-row load; a SQL function over
`generate_series`, 96 s.)
"""

import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SEPARATOR = "\x1f"  # between cells; never inside one (a control character no cell keeps after connect)
SEARCH_COLUMN = "_odl_search"
GRAMS_COLUMN = "_odl_grams"
_SEPARATOR_CODE = ord(SEPARATOR)


def normalise(text: str) -> str:
    """How a cell and a query word are compared: NFKC (ｶﾅ → カナ, ＡＢＣ → ABC, full-width digits) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def normalised_cells(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """normalise() of every cell; empty cells are null.

    ASCII cells (codes, numbers, dates) go through Arrow's ASCII lower-casing, which is exactly
    Python's on ASCII (NFKC leaves ASCII as it is); every other distinct value through normalise()
    itself, so the result is Python's by construction — Arrow's utf8_lower maps code points one to one
    and so differs from str.lower() on İ and a final Σ.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
    ascii_only = pc.fill_null(pc.string_is_ascii(values), True)
    lowered = pc.ascii_lower(values)
    if pc.all(ascii_only).as_py():
        return lowered
    encoded = pc.dictionary_encode(pc.if_else(ascii_only, pa.scalar(None, pa.string()), values))
    distinct = pa.array([normalise(value) for value in encoded.dictionary.to_pylist()], pa.string())
    return pc.if_else(ascii_only, lowered, pc.take(distinct, encoded.indices))


def search_text(cells: list[pa.Array]) -> pa.Array:
    """`_odl_search` per row from its normalised cells: U+001F + cells joined by U+001F (nulls skipped) + U+001F."""
    if not cells:
        raise ValueError("a table without data columns has no search text")
    # Each cell as "cell␟" ("" when null), then all of them after one "␟". (binary_join_element_wise with
    # null_handling="skip" drops the rows whose cells are all null, in pyarrow 26.)
    parts = [pc.fill_null(pc.binary_join_element_wise(cell, SEPARATOR, ""), "") for cell in cells]
    joined = pc.binary_join_element_wise(SEPARATOR, *parts, "")
    return pc.if_else(pc.equal(joined, SEPARATOR), SEPARATOR * 2, joined)  # no cells: "␟" + "" + "␟"


def gram_arrays(search: pa.Array) -> pa.Array:
    """Per row, `_odl_grams` as a PostgreSQL array literal: the distinct characters and adjacent pairs
    within a cell (`{a,b,ab}`; quoted where array_in needs it), in code point order.

    `search` holds `_odl_search` values: every row starts and ends with U+001F, so a pair that would
    span two cells or two rows contains U+001F and is left out. Each gram is one 64-bit key (row,
    first code point or 0, code point); sorting the keys puts each row's grams together and repeats
    side by side, so one comparison with the neighbour keeps them distinct. (PostgreSQL doing the same
    with string_to_array → array_to_tsvector took about 18 s per million rows; GIN sorts and
    deduplicates a row's keys again, but repeats would double its build.)
    """
    rows = len(search)
    if rows == 0:
        return pa.array([], pa.string())
    if rows >= 1 << 22:
        raise ValueError("at most 4,194,303 rows at once: the row number has 22 bits of a key")
    search = search.cast(pa.large_string())
    offsets = np.frombuffer(search.buffers()[1], np.int64, rows + 1, search.offset * 8)
    data = search.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]
    points = np.frombuffer(data.decode("utf-8").encode("utf-32-le"), np.uint32)
    lengths = pc.utf8_length(search).to_numpy(zero_copy_only=False).astype(np.int64)
    row_of_point = np.repeat(np.arange(rows, dtype=np.uint64), lengths) << np.uint64(42)
    one = points != _SEPARATOR_CODE
    starts = np.flatnonzero(one[:-1] & one[1:])
    keys = np.concatenate(
        [
            row_of_point[one] | points[one],
            row_of_point[starts] | (points[starts].astype(np.uint64) << np.uint64(21)) | points[starts + 1],
        ]
    )
    del row_of_point, one, starts
    keys.sort()
    distinct = np.ones(len(keys), bool)
    distinct[1:] = keys[1:] != keys[:-1]
    keys = keys[distinct]
    code_mask = np.uint64((1 << 21) - 1)
    first = ((keys >> np.uint64(21)) & code_mask).astype(np.uint32)
    second = (keys & code_mask).astype(np.uint32)
    row_of_gram = (keys >> np.uint64(42)).astype(np.int64)
    del keys

    # Each gram as `,<first><second>`, in quotes where array_in would read it otherwise (braces, comma,
    # space, quote, backslash), with a backslash before " and \\; a pair's first code point is never 0
    # (PostgreSQL text holds no NUL), a character's always is.
    pair = first != 0
    special = np.zeros(0x80, bool)
    special[[ord(c) for c in '{},"\\ \t\n\r\v\f']] = True
    escaped = np.zeros(0x80, bool)
    escaped[[ord('"'), ord("\\")]] = True

    def lookup(table: np.ndarray, code: np.ndarray) -> np.ndarray:
        return table[np.minimum(code, 0x7F)] & (code < 0x80)

    quoted = lookup(special, first) | lookup(special, second)
    escape_first, escape_second = lookup(escaped, first), lookup(escaped, second)
    length = 2 + pair.astype(np.int64) + 2 * quoted + escape_first + escape_second
    ends = np.cumsum(length)
    at = ends - length
    del ends
    out = np.empty(int(at[-1] + length[-1]) if len(at) else 0, np.uint32)
    out[at] = ord(",")
    at += 1
    out[at[quoted]] = ord('"')
    at += quoted
    out[at[escape_first]] = ord("\\")
    at += escape_first
    out[at[pair]] = first[pair]
    at += pair
    out[at[escape_second]] = ord("\\")
    at += escape_second
    out[at] = second
    out[at[quoted] + 1] = ord('"')

    def utf8_width(code: np.ndarray) -> np.ndarray:
        return 1 + (code >= 0x80).astype(np.int64) + (code >= 0x800) + (code >= 0x10000)

    gram_bytes = length + np.where(pair, utf8_width(first) - 1, 0) + utf8_width(second) - 1
    ended = np.concatenate([[0], np.cumsum(gram_bytes)])
    row_offsets = ended[np.searchsorted(row_of_gram, np.arange(rows + 1))]
    encoded = out.tobytes().decode("utf-32-le").encode("utf-8")
    bodies = pa.LargeStringArray.from_buffers(rows, pa.py_buffer(row_offsets.tobytes()), pa.py_buffer(encoded))
    body = pc.utf8_slice_codeunits(bodies, 1).cast(pa.string())  # without the first gram's comma
    return pc.binary_join_element_wise("{", body, "}", "")


def grams(search: str) -> set[str]:
    """The reference for `_odl_grams`: the distinct characters and adjacent pairs within each cell of a search text."""
    found: set[str] = set()
    for cell in search.split(SEPARATOR):
        found.update(cell)
        found.update(cell[i : i + 2] for i in range(len(cell) - 1))
    return found
