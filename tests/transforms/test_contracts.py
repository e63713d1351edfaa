import re
from pathlib import Path

import pytest

from transforms.contracts import (
    ContractError,
    department_by_name_or_id,
    discover,
    load_published_contracts,
    load_source_contracts,
)

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


def test_every_source_contract_loads_with_its_owner() -> None:
    contracts = load_source_contracts()
    known = {
        "csf-wild-boar": "agriculture",
        "evacuation-sites": "disaster-prevention",
        "tourism-facilities": "tourism",
        "tourist-visitors": "tourism",
    }
    assert {dataset: contracts[dataset].department for dataset in known} == known
    assert contracts["evacuation-sites"].key == ("全国地方公共団体コード", "ID")
    assert contracts["tourist-visitors"].layout == "layout.py"


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
    (tmp_path / "datasets" / name).mkdir(parents=True)
    (tmp_path / "departments.yaml").write_text(
        (CATALOG / "departments.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "datasets" / name / "source.yaml").write_text(contract_yaml, encoding="utf-8")
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
        (("id: broken", "id: other"), "differs from the folder name"),
        (("columns:", "checks: [{check: date_order, later: B, earlier: C}]\ncolumns:"), "unknown columns ['C']"),
        (("key: [A]", "key: A"), "field 'key' must be a list of str"),
        (('file_patterns: ["*x*"]', 'file_patterns: "*x*"'), "field 'file_patterns' must be a list of str"),
        (("columns:", "checks: [coordinates]\ncolumns:"), "field 'checks' must be a list of dict"),
        (("title: t", "titel: t"), "unknown field 'titel'"),
        (("department: tourism", "department: [tourism]"), "field 'department' must be str"),
    ],
)
def test_malformed_contracts_are_set_aside_with_the_file_and_a_japanese_message(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    assert load_source_contracts(_catalog_with(tmp_path, VALID))  # the unbroken one loads
    (tmp_path / "datasets" / "good").mkdir()
    (tmp_path / "datasets" / "good" / "source.yaml").write_text(VALID.replace("id: broken", "id: good"))
    broken = VALID.replace(*change)
    (tmp_path / "datasets" / "broken" / "source.yaml").write_text(broken, encoding="utf-8")
    catalog = discover(tmp_path)
    assert list(catalog.sources) == ["good"]  # a broken folder never stops the others
    problem = catalog.broken["broken"]
    assert isinstance(problem, ContractError)
    assert re.search(re.escape(message), str(problem))
    assert problem.path == tmp_path / "datasets" / "broken" / "source.yaml"
    assert problem.ja and problem.field


def test_every_published_contract_loads_with_inputs_owner_and_a_documented_column_for_each_field() -> None:
    published = load_published_contracts()
    known = {
        "csf-wild-boar": ("csf-wild-boar",),
        "csf-wild-boar-monthly": ("csf-wild-boar",),
        "evacuation-sites": ("evacuation-sites",),
        "tourism-facilities": ("tourism-facilities",),
        "tourist-visitors-by-region": ("tourist-visitors",),
        "tourist-visitors-monthly": ("tourist-visitors",),
    }
    assert {dataset: published[dataset].inputs for dataset in known} == known
    for contract in published.values():
        # The data dictionary citizens read on CKAN is filled from these.
        undocumented = [c.name for c in contract.columns if not (c.label_en and c.description)]
        assert undocumented == [], contract.id
        assert contract.title and contract.title_en and contract.description and contract.tags


def test_published_columns_from_source_keep_the_source_order_then_add_their_own() -> None:
    sources, published = load_source_contracts(), load_published_contracts()
    evacuation = published["evacuation-sites"].column_names
    assert evacuation == [*sources["evacuation-sites"].column_names, "市町名", "地域"]
    assert published["evacuation-sites"].params == {"code_column": "所在地_全国地方公共団体コード"}


def test_published_contract_with_an_unknown_input_is_refused(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(CATALOG, tmp_path / "catalog")
    path = tmp_path / "catalog" / "datasets" / "csf-wild-boar-monthly" / "published.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("inputs: [csf-wild-boar]", "inputs: [wild-deer]"))
    catalog = discover(tmp_path / "catalog")
    assert "csf-wild-boar-monthly" not in catalog.published
    assert "wild-deer" in str(catalog.broken["csf-wild-boar-monthly"])
    assert "csf-wild-boar" in catalog.published  # the other folders are untouched
