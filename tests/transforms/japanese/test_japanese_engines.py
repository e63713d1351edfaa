"""Every parser gives the same answer whatever the input's dtype and whichever regex engine pandas uses.

pandas' string dtype runs .str methods in Arrow (RE2) when pyarrow is installed and in Python's
re otherwise; the patterns are written to mean the same in both, and this checks it.
"""

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
import pytest

from transforms.japanese import (
    Parsed,
    blank_markers_to_empty,
    fold_ascii_width,
    formula_like,
    kana_to_fullwidth,
    parse_dates,
    parse_decimals,
    parse_flags,
    parse_integers,
    parse_lg_codes,
    parse_phones,
    parse_times,
    parse_urls,
)

CASES: dict[str, tuple[Callable[[pd.Series], Parsed], list[str]]] = {
    "integers": (
        partial(parse_integers, non_negative=True),
        ["1,234", "１２３", "1.0", "1.5", "-5", "▲3", "+007", "", "abc", "1,5"],
    ),
    "decimals": (parse_decimals, ["34.730278", "-.5", "1.500", "1,234.50", "1e5", "", "x"]),
    "dates": (
        parse_dates,
        [
            "2024/4/1",
            "令和元年5月1日",
            "Ｒ６．４．１",
            "2024-04-01 10:00",
            "2024年4月1日（月）",
            "20240401",
            "2024-02-30",
            "平成32年1月1日",
            "",
            "abc",
            "R 6. 4. 1",
        ],
    ),
    "times": (parse_times, ["9:00", "９：００", "9時30分", "24:00", "24:01", "", "x"]),
    "phones": (parse_phones, ["059(224)2111", "０５９－２２４－２１１１", "059ー224ー2111", "59-224-2111", ""]),
    "urls": (parse_urls, ["https://example.jp/", "Http://x.jp", "https://例え.jp/ a", "https://exa mple.com", ""]),
    "flags": (parse_flags, ["1", "１", "1.0", "○", ""]),
    "codes": (parse_lg_codes, ["242012", "２４２０１２", "242012.0", "12025", "24212", "242013", ""]),
}


def as_lists(parsed: Parsed) -> tuple[list[object], list[object]]:
    return parsed.values.tolist(), parsed.errors.tolist()


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("storage", ["pyarrow", "python"])
@pytest.mark.parametrize("dtype", [object, "str"])
def test_same_result_for_every_dtype_and_engine(name: str, storage: str, dtype: object) -> None:
    parse, cells = CASES[name]
    expected = as_lists(parse(pd.Series(cells, dtype=object)))
    with pd.option_context("mode.string_storage", storage):
        assert as_lists(parse(pd.Series(cells, dtype=dtype))) == expected


SERIES_CASES: dict[str, tuple[Callable[[pd.Series], pd.Series], list[str]]] = {
    "fold": (fold_ascii_width, ["ＡＢＣ１２３　！～", "①㈱髙", "abc", ""]),
    "kana": (kana_to_fullwidth, ["ｶﾞｷﾞｸﾞ", "ﾊﾟｰｸ", "ｱﾞ", "①㈱髙～", ""]),
    "blanks": (blank_markers_to_empty, ["－", "-", "ー", "--", "x", ""]),
    "formulas": (formula_like, ["=1+1", "-3", "+81-59", "@x", "-", "abc", ""]),
}


@pytest.mark.parametrize("name", SERIES_CASES)
@pytest.mark.parametrize("storage", ["pyarrow", "python"])
@pytest.mark.parametrize("dtype", [object, "str"])
def test_series_functions_agree_for_every_dtype_and_engine(name: str, storage: str, dtype: object) -> None:
    function, cells = SERIES_CASES[name]
    expected = function(pd.Series(cells, dtype=object)).tolist()
    with pd.option_context("mode.string_storage", storage):
        assert function(pd.Series(cells, dtype=dtype)).tolist() == expected


@pytest.mark.parametrize("name", [*CASES, *SERIES_CASES])
@pytest.mark.parametrize("storage", ["pyarrow", "python"])
@pytest.mark.parametrize("dtype", [object, "str"])
def test_the_input_is_left_unchanged(name: str, storage: str, dtype: object) -> None:
    function, cells = CASES[name] if name in CASES else SERIES_CASES[name]
    with pd.option_context("mode.string_storage", storage):
        s = pd.Series(cells, dtype=dtype)
        before = s.copy()
        function(s)
        pd.testing.assert_series_equal(s, before)


@pytest.mark.parametrize("name", CASES)
def test_results_are_aligned_to_the_input_index(name: str) -> None:
    parse, cells = CASES[name]
    index = pd.Index(np.arange(len(cells))[::-1] * 10)
    parsed = parse(pd.Series(cells, index=index, dtype=object))
    expected = parse(pd.Series(cells, dtype=object))
    for result, plain in ((parsed.values, expected.values), (parsed.errors, expected.errors)):
        assert result.index.equals(index)
        assert result.dtype == object
        assert result.tolist() == plain.tolist()


@pytest.mark.parametrize("name", CASES)
def test_empty_series(name: str) -> None:
    parse, _ = CASES[name]
    parsed = parse(pd.Series([], dtype=object))
    assert parsed.values.empty and parsed.errors.empty


@pytest.mark.parametrize("name", CASES)
def test_all_empty_cells_are_fine(name: str) -> None:
    parse, _ = CASES[name]
    parsed = parse(pd.Series(["", ""], dtype=object))
    assert parsed.values.tolist() == ["", ""]
    assert parsed.errors.tolist() == [None, None]


@pytest.mark.parametrize("name", CASES)
def test_absent_values_are_empty_cells(name: str) -> None:
    parse, _ = CASES[name]
    parsed = parse(pd.Series([None, np.nan], dtype=object))
    assert parsed.values.tolist() == ["", ""]
    assert parsed.errors.tolist() == [None, None]


def test_a_bad_cell_keeps_its_value_as_submitted() -> None:
    parsed = parse_integers(pd.Series(["１．５"], dtype=object), non_negative=True)
    assert (parsed.values.iloc[0], parsed.errors.iloc[0]) == ("１．５", "invalid_integer")
