"""Suites generated from the contracts: committed files are current, and GX loads every expectation."""

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from transforms.connect.suites import (
    SuiteError,
    generate_suite,
    gx_suite,
    load_suite,
    suite_is_current,
    suite_path,
    suite_text,
)


def test_committed_suites_equal_what_the_generator_writes_now(contracts, municipalities) -> None:
    for contract in contracts.values():
        committed = suite_path(contract).read_text(encoding="utf-8")
        assert committed == suite_text(generate_suite(contract, municipalities)), (
            f"run `odl expectations` ({contract.id})"
        )


def test_a_suite_holds_the_contract_rules(contracts, municipalities) -> None:
    suite = generate_suite(contracts["csf-wild-boar"], municipalities)
    by_type: dict[str, list[dict]] = {}
    for expectation in suite["expectations"]:
        by_type.setdefault(expectation["type"], []).append(expectation["kwargs"])

    assert by_type["expect_table_columns_to_match_ordered_list"] == [
        {"column_list": contracts["csf-wild-boar"].column_names}
    ]
    assert {"column": "検体番号"} in by_type["expect_column_values_to_be_unique"]
    not_null = {kwargs["column"] for kwargs in by_type["expect_column_values_to_not_be_null"]}
    assert not_null == {"検体番号", "捕獲年月日", "全国地方公共団体コード", "市町名", "地域", "検査結果"}
    in_set = {kwargs["column"]: kwargs["value_set"] for kwargs in by_type["expect_column_values_to_be_in_set"]}
    assert in_set["検査結果"] == ["陽性", "陰性"]
    assert (
        in_set["全国地方公共団体コード"] == sorted(municipalities.mie_codes)
        and len(in_set["全国地方公共団体コード"]) == 30
    )
    between = {
        kwargs["column"]: (kwargs["min_value"], kwargs.get("max_value"))
        for kwargs in by_type["expect_column_values_to_be_between"]
    }
    assert between == {"緯度": (33.7, 35.3), "経度": (135.8, 137.0)}
    assert all(e["meta"]["label_ja"] and e["meta"]["label_en"] for e in suite["expectations"])


def test_gx_loads_every_generated_expectation(contracts, municipalities) -> None:
    for contract in contracts.values():
        suite = load_suite(contract, municipalities)
        assert len(gx_suite(contract.id, suite["expectations"]).expectations) == len(suite["expectations"])


def test_the_loader_refuses_a_suite_gx_would_silently_shorten() -> None:
    expectations = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
        {"type": "expect_column_value_to_be_between", "kwargs": {"column": "a", "min_value": 0}},  # typo
    ]
    with pytest.raises(
        SuiteError, match=r"loaded 1 of 2 expectations; dropped: \['expect_column_value_to_be_between'\]"
    ):
        gx_suite("broken", expectations)


def test_a_handwritten_expectation_must_name_a_known_derived_table(tmp_path: Path, contracts, municipalities) -> None:
    folder = tmp_path / "csf-wild-boar"
    shutil.copytree(contracts["csf-wild-boar"].path.parent, folder)
    handwritten = {
        "derived_tables": {},
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "x"}, "meta": {"batch": "nowhere"}}
        ],
    }
    (folder / "checks.json").write_text(json.dumps(handwritten), encoding="utf-8")
    moved = dataclasses.replace(contracts["csf-wild-boar"], path=folder / "published.yaml")
    with pytest.raises(SuiteError, match="unknown batch 'nowhere'"):
        generate_suite(moved, municipalities)


def test_connect_validates_with_the_generated_suite_when_the_committed_one_is_stale(
    tmp_path: Path, contracts, municipalities
) -> None:
    folder = tmp_path / "csf-wild-boar"
    shutil.copytree(contracts["csf-wild-boar"].path.parent, folder)
    (folder / "suite.json").write_text('{"name": "somebody-else", "expectations": []}', encoding="utf-8")
    moved = dataclasses.replace(contracts["csf-wild-boar"], path=folder / "published.yaml")
    assert not suite_is_current(moved, municipalities)
    assert load_suite(moved, municipalities) == generate_suite(contracts["csf-wild-boar"], municipalities)
