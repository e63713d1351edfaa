"""The search text and grams the loader writes (no services): Python's normalisation, cells kept apart."""

import random
import unicodedata

import pyarrow as pa
import pytest

from transforms.publish import search

HIRAGANA = [chr(c) for c in range(0x3041, 0x3097)]
KATAKANA = [chr(c) for c in range(0x30A1, 0x30FB)]
HALF_WIDTH_KANA = [chr(c) for c in range(0xFF61, 0xFFA0)]  # ｶﾞ etc., with the voiced marks ﾞ ﾟ
FULL_WIDTH = [chr(c) for c in range(0xFF01, 0xFF5F)]  # ＡＢＣ ０１２ ！
KANJI = list(
    "三重県津市四日市伊勢松阪桑名鈴鹿名張尾鷲亀山鳥羽熊野いなべ志摩伊賀木曽岬東員菰野朝日川越多気明和大台玉城度会"
)
ASCII = [chr(c) for c in range(0x20, 0x7F)]
OTHER = [*"İΣσςÅﬁ①㈱㍻ⅫßẞΩ", "\u3099", "\u309a", "\u0301"]  # special cases of lower() and NFKC


def generated(rng: random.Random, count: int) -> list[str | None]:
    """Cells of 0–12 characters from every script above, mixed; some null, some empty."""
    pools = [HIRAGANA, KATAKANA, HALF_WIDTH_KANA, FULL_WIDTH, KANJI, ASCII, OTHER]
    cells: list[str | None] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.05:
            cells.append(None)
        elif roll < 0.08:
            cells.append("")
        elif roll < 0.4:
            cells.append("".join(rng.choice(ASCII) for _ in range(rng.randint(1, 12))))
        else:
            cells.append("".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 12))))
    return cells


def test_normalised_cells_equal_python_nfkc_then_lower_on_kana_kanji_mixed_width_and_ascii() -> None:
    cells = generated(random.Random(14), 20_000)

    stored = search.normalised_cells(pa.array(cells, pa.string())).to_pylist()

    expected = [unicodedata.normalize("NFKC", c).lower() if c else None for c in cells]
    assert stored == expected
    assert search.normalise("ｶﾞｲﾄﾞ ＡＢＣ １２３ İ ΑΣ") == "ガイド abc 123 i̇ ας"  # İ and a final Σ as Python has them


def test_numbers_and_dates_are_searched_as_their_text() -> None:
    assert search.normalised_cells(pa.array([1, None, 30], pa.int64())).to_pylist() == ["1", None, "30"]


def test_search_text_joins_the_non_empty_cells_of_a_row_between_separators() -> None:
    first = search.normalised_cells(pa.array(["ＡＢ", None, "ｶﾅ", None]))
    second = search.normalised_cells(pa.array(["x", "", "津市", None]))

    rows = search.search_text([first, second]).to_pylist()

    assert rows == ["\x1fab\x1fx\x1f", "\x1f\x1f", "\x1fカナ\x1f津市\x1f", "\x1f\x1f"]


def array_elements(literal: str) -> list[str]:
    """A one-dimensional PostgreSQL array literal of non-null text, read back as array_in reads it."""
    assert literal.startswith("{") and literal.endswith("}")
    elements, body, at = [], literal[1:-1], 0
    while at < len(body):
        element = ""
        if body[at] == '"':
            at += 1
            while body[at] != '"':
                at += 2 if body[at] == "\\" else 1
                element += body[at - 1]
            at += 1
        else:
            while at < len(body) and body[at] != ",":
                assert body[at] not in '{}"\\ ', literal  # array_in would read these otherwise
                element += body[at]
                at += 1
        elements.append(element)
        at += 1  # the comma
    return elements


@pytest.mark.parametrize("rows", [0, 1, 3000])
def test_gram_arrays_hold_every_character_and_pair_within_a_cell_once_and_none_across_cells(rows: int) -> None:
    rng = random.Random(rows)
    columns = [search.normalised_cells(pa.array(generated(rng, rows), pa.string())) for _ in range(4)]
    texts = search.search_text(columns) if rows else pa.array([], pa.string())

    literals = search.gram_arrays(texts).to_pylist()

    assert len(literals) == rows
    for text, literal in zip(texts.to_pylist(), literals, strict=True):
        elements = array_elements(literal)
        assert set(elements) == search.grams(text)
        assert len(elements) == len(set(elements))


def test_gram_arrays_quote_what_array_in_would_read_otherwise() -> None:
    texts = pa.array(['\x1f"\\a"\x1f{b, c}\x1f', "\x1f\x1f", "\x1f𠮷野\x1f"])

    literals = search.gram_arrays(texts).to_pylist()

    assert set(array_elements(literals[0])) == search.grams(texts[0].as_py())
    assert literals[1] == "{}"
    assert literals[2] == "{野,𠮷,𠮷野}"  # quotes only where array_in needs them


def test_grams_are_characters_and_adjacent_pairs_of_each_cell() -> None:
    assert search.grams("\x1f鳥羽市\x1fab\x1f") == {"鳥", "羽", "市", "鳥羽", "羽市", "a", "b", "ab"}
    assert search.grams("\x1f\x1f") == set()
