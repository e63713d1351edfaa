from collections.abc import Callable

import pandas as pd
import pytest

from transforms.japanese import blank_markers_to_empty, fold_ascii_width, kana_to_fullwidth


def one(function: Callable[[pd.Series], pd.Series], value: str) -> str:
    return function(pd.Series([value], dtype=object)).iloc[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣｘｙｚ０１２３４５６７８９", "ABCxyz0123456789"),
        ("！＂＃＄％＆＇（）＊＋，－．／：；＜＝＞？＠［＼］＾＿｀｛｜｝～", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
        ("令和６年　４月", "令和6年 4月"),
        ("ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｊｐ", "https://example.jp"),
        ("already ascii", "already ascii"),
        ("カタカナとｶﾀｶﾅ", "カタカナとｶﾀｶﾅ"),  # kana are not ASCII: left alone
        ("", ""),
    ],
)
def test_fold_ascii_width(raw: str, expected: str) -> None:
    assert one(fold_ascii_width, raw) == expected


@pytest.mark.parametrize("special", ["①", "㈱", "髙", "〜", "﨑", "①２㈱"])
def test_fold_ascii_width_leaves_cp932_specials(special: str) -> None:
    assert one(fold_ascii_width, special) == special.replace("２", "2")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ﾐｴｹﾝ", "ミエケン"),
        ("ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ"),
        ("ｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞ", "ザジズゼゾダヂヅデド"),
        ("ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ", "バビブベボ"),
        ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("ﾜﾞｦﾞ", "ヷヺ"),
        ("ｧｨｩｪｫｬｭｮｯｰ", "ァィゥェォャュョッー"),
        ("｡｢｣､･", "。「」、・"),
        ("ｱﾞ", "ア゛"),  # no composed form: the mark stays, visible
        ("ﾞ", "゛"),
        ("ﾟ", "゜"),
        ("ｶﾟ", "カ゜"),
        ("ｶﾞﾞ", "ガ゛"),
        ("ﾐｴｹﾝ ﾂｼ", "ミエケン ツシ"),
        ("ｻﾝﾄﾘｰﾎｰﾙ ABC １２", "サントリーホール ABC １２"),  # only half-width kana change
        ("ミエケン", "ミエケン"),
        ("", ""),
    ],
)
def test_kana_to_fullwidth(raw: str, expected: str) -> None:
    assert one(kana_to_fullwidth, raw) == expected


@pytest.mark.parametrize("special", ["①", "㈱", "髙", "～", "〜", "﨑", "ﾃｽﾄ①㈱髙～"])
def test_kana_to_fullwidth_leaves_cp932_specials(special: str) -> None:
    assert one(kana_to_fullwidth, special) == special.replace("ﾃｽﾄ", "テスト")


def test_kana_to_fullwidth_handles_long_and_short_cells_together() -> None:
    cells = pd.Series(["ｶﾞ" * 3000, "ﾊﾟ", "", "漢字"], dtype=object)
    assert kana_to_fullwidth(cells).tolist() == ["ガ" * 3000, "パ", "", "漢字"]


@pytest.mark.parametrize("marker", ["－", "―", "-", "ー", "‐", "−", "–", "—", "ｰ"])
def test_blank_markers_become_empty(marker: str) -> None:
    assert one(blank_markers_to_empty, marker) == ""


@pytest.mark.parametrize("value", ["--", "-1", "ー ", "データー", "0", "", "―――"])
def test_other_values_are_not_blank_markers(value: str) -> None:
    assert one(blank_markers_to_empty, value) == value


@pytest.mark.parametrize("function", [fold_ascii_width, kana_to_fullwidth, blank_markers_to_empty])
@pytest.mark.parametrize("dtype", [object, "str"])
def test_width_functions_keep_index_and_dtype(function: Callable[[pd.Series], pd.Series], dtype: object) -> None:
    s = pd.Series(["ＡＢ", "ｶﾞ", "－"], index=[10, 5, 7], dtype=dtype)
    out = function(s)
    assert out.index.tolist() == [10, 5, 7]
    assert out.dtype == s.dtype
