"""Dataset folders: every one is complete, its fixture passes store and connect, and a copied folder is a dataset."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from transforms.connect.run import connect_tables
from transforms.connect.suites import load_suite
from transforms.contracts import discover, load_published_contracts, load_source_contracts
from transforms.folders import dataset_folders_status, fixture_path
from transforms.reference import load_municipalities
from transforms.store import SOURCE_ROW_COLUMN
from transforms.validate import check_file

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
SOURCES = load_source_contracts()
PUBLISHED = load_published_contracts()


def fixture_table(dataset: str) -> pd.DataFrame:
    """The raw table the store step keeps for the folder's fixture."""
    fixture = fixture_path(SOURCES[dataset].path.parent)
    assert fixture is not None
    result = check_file(fixture, SOURCES[dataset])
    assert result.valid and result.table is not None, [(f.row, f.column, f.code) for f in result.errors]
    return result.table.reset_index(names=SOURCE_ROW_COLUMN)


def test_every_folder_is_complete_and_nothing_else_lists_datasets() -> None:
    entries = dataset_folders_status()
    assert [(e.id, e.problems) for e in entries if not e.complete] == []
    assert {e.id for e in entries} == set(SOURCES) | set(PUBLISHED)
    assert {e.kind for e in entries} <= {"source", "published", "both"}


@pytest.mark.parametrize("dataset", sorted(SOURCES))
def test_each_source_fixture_passes_the_check(dataset: str) -> None:
    assert len(fixture_table(dataset)) > 0


@pytest.mark.parametrize("dataset", sorted(PUBLISHED))
def test_each_published_dataset_builds_and_validates_from_its_inputs_fixtures(dataset: str) -> None:
    contract, municipalities = PUBLISHED[dataset], load_municipalities()
    inputs = {name: fixture_table(name) for name in contract.inputs}
    connected = connect_tables(contract, inputs, municipalities, PUBLISHED, load_suite(contract, municipalities))
    assert not connected.blocked, [join.problems() for join in connected.joins]
    assert connected.validation is not None
    failed = [(o.label_en, o.observed, o.examples) for o in connected.validation.failed]
    assert connected.validation.success, failed
    assert list(connected.table.columns) == contract.column_names and len(connected.table) > 0


def copy_of_evacuation_sites(catalog: Path, new_id: str) -> Path:
    """As a newcomer adds a dataset: copy a folder, change only its id, title and file patterns."""
    shutil.copytree(CATALOG, catalog)
    folder = catalog / "datasets" / new_id
    shutil.copytree(catalog / "datasets" / "evacuation-sites", folder)
    for name in ("source.yaml", "published.yaml"):
        text = (folder / name).read_text(encoding="utf-8")
        text = text.replace("id: evacuation-sites", f"id: {new_id}").replace("title: 指定緊急避難場所一覧", "title: 指定避難所一覧")
        text = text.replace('file_patterns: ["*避難場所*", "*evacuation*"]', 'file_patterns: ["*指定避難所*"]')
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_copied_folder_is_listed_checked_and_connected_with_no_other_file_edited(tmp_path: Path) -> None:
    folder = copy_of_evacuation_sites(tmp_path / "catalog", "shelters")
    catalog = discover(tmp_path / "catalog")
    assert catalog.broken == {}
    source, published = catalog.sources["shelters"], catalog.published["shelters"]
    assert published.inputs == ("shelters",) and source.matches_filename("R6_指定避難所一覧.csv")
    fixture = fixture_path(folder)
    assert fixture is not None
    result = check_file(fixture, source)
    assert result.valid and result.dataset == "shelters"
    municipalities = load_municipalities()
    inputs = {"shelters": result.table.reset_index(names=SOURCE_ROW_COLUMN)}
    connected = connect_tables(published, inputs, municipalities, catalog.published, load_suite(published, municipalities))
    assert connected.validation is not None and connected.validation.success
    # Its copied suite.json still names evacuation-sites: listed, usable, and flagged as not current.
    (entry,) = [e for e in dataset_folders_status(tmp_path / "catalog") if e.id == "shelters"]
    assert entry.kind == "both" and {p["file"] for p in entry.problems} == {str(folder / "source.yaml"), str(folder / "suite.json")}
