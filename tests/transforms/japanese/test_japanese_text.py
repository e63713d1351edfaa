"""The shared vectorised helpers, on cases the parsers' own tests do not reach."""

import numpy as np
import pandas as pd
import pytest

from transforms.japanese import _text
from transforms.japanese._text import codepoints, digit_groups, from_codepoints, joined, rewrite_codepoints, zero_padded


def test_digit_groups_reads_runs_of_digits() -> None:
    matrix = codepoints(np.array(["2024-4-1", "R06.04.01", "9時30分", "", "12"], dtype=object))
    assert digit_groups(matrix, 3).T.tolist() == [[2024, 4, 1], [6, 4, 1], [9, 30, 0], [0, 0, 0], [12, 0, 0]]


def test_digit_groups_ignores_runs_beyond_the_count() -> None:
    matrix = codepoints(np.array(["1-2-3-4"], dtype=object))
    assert digit_groups(matrix, 2).T.tolist() == [[1, 2]]


def test_from_codepoints_drops_nuls_anywhere() -> None:
    matrix = np.array([[ord("a"), 0, ord("b"), 0], [0, ord("c"), 0, 0], [0, 0, 0, 0]], dtype=np.uint32)
    assert from_codepoints(matrix).tolist() == ["ab", "c", ""]


def test_joined_zero_pads() -> None:
    text = joined(zero_padded(np.array([2024, 5]), 4), "-", zero_padded(np.array([4, 12]), 2))
    assert text.tolist() == ["2024-04", "0005-12"]


@pytest.mark.parametrize("block", [1, 7, 1 << 22])
def test_rewrite_codepoints_in_blocks_of_any_size(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(_text, "_CELLS_PER_BLOCK", block)
    values = np.array(["ab", "x" * 1000, "", "abc", "b" * 9], dtype=object)
    rows = np.array([True, True, True, False, True])
    upper = rewrite_codepoints(values, rows, lambda matrix: np.where(matrix == ord("b"), ord("B"), matrix))
    assert upper.tolist() == ["aB", "x" * 1000, "", "abc", "B" * 9]
    assert values.tolist()[0] == "ab"  # the input is not modified


def test_cells_reuses_a_string_series() -> None:
    s = pd.Series(["a", "b"], dtype="str")
    raw, text = _text.cells(s)
    assert text is s
    assert raw.dtype == object and raw.tolist() == ["a", "b"]
