"""Great Expectations suites (a dataset folder's suite.json), generated from its published contract.

A suite is the contract's rules as GX 1.x expectations (columns and order, types, required,
unique key, allowed values, ranges, codes in the Mie reference) followed by the hand-written
cross-column and cross-dataset expectations of the folder's checks.json. Every
expectation carries Japanese and English labels in its meta; one naming a derived table in
meta.batch is validated against that table (the folder's derived.py) instead of the curated one.

`odl expectations` writes the suites; a test keeps the committed files equal to what it writes.
Connect validates with the suite as generated, so a folder whose suite.json is stale (a copied
folder, say) is still judged by its own contract; `odl datasets` shows it as not current.
"""

import json
import logging
from pathlib import Path
from typing import Any

from transforms.column_types import column_type
from transforms.contracts import Column, PublishedContract
from transforms.reference import Municipalities

CURATED_BATCH = "curated"
SUITE_FILE = "suite.json"
CHECKS_FILE = "checks.json"
log = logging.getLogger(__name__)


class SuiteError(ValueError):
    """A suite file is not what the contract and the hand-written checks say it is, or GX dropped part of it."""


def _expectation(type_: str, label_ja: str, label_en: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": type_, "kwargs": kwargs, "meta": {"source": "contract", "label_ja": label_ja, "label_en": label_en}}


def _column_expectations(column: Column, municipalities: Municipalities) -> list[dict[str, Any]]:
    name, found, type_ = column.name, [], column_type(column)
    found.append(
        _expectation(
            "expect_column_values_to_be_in_type_list",
            f"「{name}」が{type_.curated.label_ja}",
            f"{column.label_en or name} has type {type_.curated.gx_type}",
            column=name,
            type_list=[type_.curated.gx_type],
        )
    )
    if column.required:
        found.append(
            _expectation(
                "expect_column_values_to_not_be_null",
                f"「{name}」に空欄がない",
                f"{column.label_en or name} is never empty",
                column=name,
            )
        )
    allowed = type_.allowed_values(column, municipalities) if type_.allowed_values else None
    if allowed is not None:
        found.append(
            _expectation(
                "expect_column_values_to_be_in_set",
                f"「{name}」が{allowed.ja}",
                f"{column.label_en or name} {allowed.en}",
                column=name,
                value_set=allowed.values,
            )
        )
    elif type_.format:
        found.append(
            _expectation(
                "expect_column_values_to_match_regex",
                f"「{name}」が{type_.format.label_ja}の形式",
                f"{column.label_en or name} matches {type_.format.pattern}",
                column=name,
                regex=type_.format.pattern,
            )
        )
    if type_.bounds:
        low, high = type_.bounds
        found.append(
            _expectation(
                "expect_column_values_to_be_between",
                f"「{name}」が三重県の範囲（{low}～{high}）",
                f"{column.label_en or name} lies within Mie ({low}–{high})",
                column=name,
                min_value=low,
                max_value=high,
            )
        )
    elif column.non_negative:
        found.append(
            _expectation(
                "expect_column_values_to_be_between",
                f"「{name}」が0以上",
                f"{column.label_en or name} is not negative",
                column=name,
                min_value=0,
            )
        )
    return found


def contract_expectations(contract: PublishedContract, municipalities: Municipalities) -> list[dict[str, Any]]:
    """The contract's rules as GX expectations, table-level first, then column by column."""
    found = [
        _expectation(
            "expect_table_columns_to_match_ordered_list",
            "列が契約どおりの順に並んでいる",
            "Columns are the contract's, in its order",
            column_list=contract.column_names,
        ),
        _expectation("expect_table_row_count_to_be_between", "1行以上ある", "At least one row", min_value=1),
    ]
    key_ja, key_en = "・".join(contract.key), ", ".join(contract.key)
    if len(contract.key) == 1:
        found.append(
            _expectation(
                "expect_column_values_to_be_unique",
                f"キー「{key_ja}」が重複しない",
                f"Key {key_en} is unique",
                column=contract.key[0],
            )
        )
    else:
        found.append(
            _expectation(
                "expect_compound_columns_to_be_unique",
                f"キー「{key_ja}」の組み合わせが重複しない",
                f"Key ({key_en}) is unique",
                column_list=list(contract.key),
            )
        )
    for column in contract.columns:
        found += _column_expectations(column, municipalities)
    return found


def checks_path(contract: PublishedContract) -> Path:
    return contract.path.parent / CHECKS_FILE


def generate_suite(contract: PublishedContract, municipalities: Municipalities) -> dict[str, Any]:
    """The suite for a published dataset: the contract's expectations, then the hand-written ones."""
    handwritten: dict[str, Any] = {"derived_tables": {}, "expectations": []}
    path = checks_path(contract)
    if path.exists():
        handwritten |= json.loads(path.read_text(encoding="utf-8"))
    for expectation in handwritten["expectations"]:
        batch = expectation.get("meta", {}).get("batch", CURATED_BATCH)
        if batch != CURATED_BATCH and batch not in handwritten["derived_tables"]:
            raise SuiteError(f"{path}: expectation {expectation['type']} names unknown batch {batch!r}")
    handwritten_expectations = [
        e | {"meta": {"source": "handwritten", **e.get("meta", {})}} for e in handwritten["expectations"]
    ]
    return {
        "name": contract.id,
        "meta": {
            "odl": {
                "generated_by": "odl expectations",
                "contract": contract.path.name,
                "handwritten": CHECKS_FILE if path.exists() else None,
                "derived_tables": handwritten["derived_tables"],
            }
        },
        "expectations": contract_expectations(contract, municipalities) + handwritten_expectations,
    }


def suite_text(suite: dict[str, Any]) -> str:
    return json.dumps(suite, ensure_ascii=False, indent=2) + "\n"


def suite_path(contract: PublishedContract) -> Path:
    return contract.path.parent / SUITE_FILE


def suite_is_current(contract: PublishedContract, municipalities: Municipalities) -> bool:
    path = suite_path(contract)
    return path.exists() and path.read_text(encoding="utf-8") == suite_text(generate_suite(contract, municipalities))


def write_suites(contracts: dict[str, PublishedContract], municipalities: Municipalities) -> list[Path]:
    """(Re)write every suite file; returns the files whose content changed."""
    changed = []
    for contract in contracts.values():
        path, text = suite_path(contract), suite_text(generate_suite(contract, municipalities))
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def load_suite(contract: PublishedContract, municipalities: Municipalities) -> dict[str, Any]:
    """The suite connect validates with: as generated from the folder; a stale suite.json is only warned of."""
    suite = generate_suite(contract, municipalities)
    if not suite_is_current(contract, municipalities):
        log.warning("%s is not current: run `odl expectations` and commit it", suite_path(contract))
    return suite


def batches(suite: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The suite's expectations grouped by the table they validate (curated first, then derived tables)."""
    grouped: dict[str, list[dict[str, Any]]] = {CURATED_BATCH: []}
    for expectation in suite["expectations"]:
        grouped.setdefault(expectation.get("meta", {}).get("batch", CURATED_BATCH), []).append(expectation)
    return grouped


def gx_suite(name: str, expectations: list[dict[str, Any]]) -> Any:
    """A GX ExpectationSuite holding exactly these expectations; GX logs and drops a malformed one, so count."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=name, expectations=[dict(e) for e in expectations])
    if len(suite.expectations) != len(expectations):
        loaded = {
            (e.expectation_type, json.dumps(e.configuration.kwargs, sort_keys=True, default=str))
            for e in suite.expectations
        }
        dropped = [
            e["type"]
            for e in expectations
            if (e["type"], json.dumps(e["kwargs"], sort_keys=True, default=str)) not in loaded
        ]
        raise SuiteError(
            f"suite {name}: Great Expectations loaded {len(suite.expectations)} of {len(expectations)} "
            f"expectations; dropped: {dropped}"
        )
    return suite
