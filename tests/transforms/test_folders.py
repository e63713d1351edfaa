"""transforms/folders.py: `odl datasets` says which folders are complete, and names the file at fault when one is not."""

import shutil
from pathlib import Path

import pytest

from transforms.folders import dataset_folders_status

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    shutil.copytree(CATALOG, tmp_path / "catalog", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "catalog"


def problems_of(catalog: Path, dataset: str) -> list[tuple[str, str | None, str]]:
    (entry,) = [e for e in dataset_folders_status(catalog) if e.id == dataset]
    return [(Path(p["file"] or "").name, p["field"], p["en"] or "") for p in entry.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_copied_folder_whose_samples_still_match_the_original_patterns_is_flagged(catalog: Path) -> None:
    folder = catalog / "datasets" / "designated-shelters"
    shutil.copytree(catalog / "datasets" / "evacuation-sites", folder)
    for name in ("source.yaml", "published.yaml"):
        edit(folder / name, "id: evacuation-sites", "id: designated-shelters")
    edit(folder / "source.yaml", 'file_patterns: ["*避難場所*", "*evacuation*"]', 'file_patterns: ["*指定避難所*"]')
    found = problems_of(catalog, "designated-shelters")
    routed = [p for p in found if p[1] == "file_patterns"]
    assert len(routed) == 2 and all("routed to ['evacuation-sites']" in p[2] for p in routed)
    assert ("suite.json", None, "suite.json is not current: run `odl expectations`") in found


def test_an_unknown_shared_transform_is_named_in_the_published_contract(catalog: Path) -> None:
    edit(
        catalog / "datasets" / "evacuation-sites" / "published.yaml",
        "transform: enrich_municipality",
        "transform: enrich",
    )
    assert [(name, field) for name, field, _ in problems_of(catalog, "evacuation-sites")] == [
        ("published.yaml", "transform")
    ]


def test_a_malformed_checks_json_is_a_problem_not_a_crash(catalog: Path) -> None:
    (catalog / "datasets" / "csf-wild-boar-monthly" / "checks.json").write_text("{", encoding="utf-8")
    (problem,) = problems_of(catalog, "csf-wild-boar-monthly")
    assert problem[0] == "checks.json" and problem[2].startswith("the suite cannot be made (JSONDecodeError")
    assert problems_of(catalog, "csf-wild-boar") == []  # the other folders are judged as ever


def test_a_derived_table_the_checks_name_but_derived_py_lacks(catalog: Path) -> None:
    edit(catalog / "datasets" / "csf-wild-boar-monthly" / "derived.py", '{"positive_rate": positive_rate}', "{}")
    (problem,) = problems_of(catalog, "csf-wild-boar-monthly")
    assert problem[:2] == ("derived.py", "DERIVED") and "['positive_rate']" in problem[2]


def test_a_sample_that_raises_is_a_problem_of_its_folder_only(catalog: Path) -> None:
    (catalog / "datasets" / "tourist-visitors" / "sample.py").write_text("raise RuntimeError('half-written')\n")
    (problem,) = problems_of(catalog, "tourist-visitors")
    assert problem[0] == "sample.py" and "RuntimeError: half-written" in problem[2]
    assert problems_of(catalog, "tourism-facilities") == []
