import re
from pathlib import Path

import pytest

from transforms.contracts import ContractError, department_by_name_or_id, load_source_contracts

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


def test_every_source_contract_loads_with_its_owner() -> None:
    contracts = load_source_contracts()
    owners = {dataset: contract.department for dataset, contract in contracts.items()}
    assert owners == {
        "csf-wild-boar": "agriculture",
        "evacuation-sites": "disaster-prevention",
        "tourism-facilities": "tourism",
        "tourist-visitors": "tourism",
    }
    assert contracts["evacuation-sites"].key == ("全国地方公共団体コード", "ID")
    assert contracts["tourist-visitors"].layout == "fiscal_year_months_wide"


@pytest.mark.parametrize(
    "filename, dataset",
    [
        ("R6_指定緊急避難場所一覧.csv", "evacuation-sites"),
        ("観光施設一覧（令和6年度）.xlsx", "tourism-facilities"),
        ("ｲﾉｼｼ_豚熱検査.xls", "csf-wild-boar"),
        ("Tourist-Visitors-2024.XLSX", "tourist-visitors"),
    ],
)
def test_file_names_are_recognised_by_contract_patterns(filename: str, dataset: str) -> None:
    matching = [c.id for c in load_source_contracts().values() if c.matches_filename(filename)]
    assert matching == [dataset]


def test_departments_are_found_by_id_or_japanese_name() -> None:
    assert department_by_name_or_id("観光部").id == "tourism"
    assert department_by_name_or_id("tourism").name == "観光部"
    with pytest.raises(KeyError):
        department_by_name_or_id("総務部")


def _catalog_with(tmp_path: Path, contract_yaml: str, name: str = "broken") -> Path:
    (tmp_path / "sources").mkdir()
    (tmp_path / "departments.yaml").write_text(
        (CATALOG / "departments.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "sources" / f"{name}.yaml").write_text(contract_yaml, encoding="utf-8")
    return tmp_path


VALID = """
id: broken
title: t
department: tourism
file_patterns: ["*x*"]
key: [A]
columns:
  - {name: A, type: text, required: true}
  - {name: B, type: date}
"""


@pytest.mark.parametrize(
    "change, message",
    [
        (("type: date", "type: datetime"), "unknown type 'datetime'"),
        (("key: [A]", "key: [Z]"), "key ['Z'] names unknown columns"),
        (("department: tourism", "department: nobody"), "unknown department"),
        (("id: broken", "id: other"), "differs from the file name"),
        (("columns:", "checks: [{check: date_order, later: B, earlier: C}]\ncolumns:"), "unknown columns ['C']"),
    ],
)
def test_malformed_contracts_are_refused_at_load(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert load_source_contracts(_catalog_with(tmp_path, VALID))  # the unbroken one loads
    broken = VALID.replace(*change)
    (tmp_path / "sources" / "broken.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ContractError, match=re.escape(message)):
        load_source_contracts(tmp_path)
