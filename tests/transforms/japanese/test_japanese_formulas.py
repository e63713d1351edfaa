import pandas as pd
import pytest

from transforms.japanese import formula_like


def flagged(value: str) -> bool:
    return bool(formula_like(pd.Series([value], dtype=object)).iloc[0])


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://x")',
        "=1+1",
        "@SUM(A1)",
        "+cmd|' /C calc'!A0",
        "-abc",
        "-2+3",
        "+81-59-224-2111",
        "=",
        "\t=1+1",
        "\r=1",
        "@",
        "- 備考",
    ],
)
def test_formula_like_text_is_flagged(value: str) -> None:
    assert flagged(value)


@pytest.mark.parametrize(
    "value",
    [
        "-3",
        "+1.5",
        "-1,234",
        "-.5",
        "+1e5",
        "-",
        "",
        "abc",
        "三重県",
        "＝1+1",
        "＠SUM",
        "－1",
        "1=1",
        "a@b.jp",
        "059-224-2111",
    ],
)
def test_other_text_is_not_flagged(value: str) -> None:
    assert not flagged(value)


def test_formula_like_keeps_the_index_and_is_boolean() -> None:
    result = formula_like(pd.Series(["=1", "a"], index=[3, 1], dtype=object))
    assert result.dtype == bool
    assert result.to_dict() == {3: True, 1: False}
