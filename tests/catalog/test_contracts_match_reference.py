"""CI-only: the project's copies of the shared reference still say what ../shared/reference says.

The project never reads ../shared at run time; these tests catch a copy drifting from it.
"""

import re
from pathlib import Path

import pytest

from transforms.contracts import load_source_contracts

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "reference"

pytestmark = pytest.mark.skipif(not SHARED_REFERENCE.is_dir(), reason="../shared/reference is not beside this clone")


def documented_columns() -> dict[str, list[tuple[str, bool]]]:
    """Each dataset's column list in source-datasets.md as (name, required), in order."""
    text = (SHARED_REFERENCE / "source-datasets.md").read_text(encoding="utf-8")
    found = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        dataset = section.split()[0]
        paragraphs = section.split("\n\n")
        listing = next((p for p in paragraphs if p.count(",") >= 4 and "Rules" not in p), None)
        if listing:
            names = [name.strip() for name in listing.replace("\n", " ").split(",")]
            found[dataset] = [(name.rstrip("*"), name.endswith("*")) for name in names]
    return found


def test_municipalities_copy_is_identical() -> None:
    copy = (REPO_ROOT / "catalog" / "mie-municipalities.csv").read_bytes()
    assert copy == (SHARED_REFERENCE / "mie-municipalities.csv").read_bytes()


@pytest.mark.parametrize("dataset", ["evacuation-sites", "tourism-facilities", "csf-wild-boar"])
def test_contract_columns_and_required_flags_match_the_reference(dataset: str) -> None:
    contract = load_source_contracts()[dataset]
    assert [(c.name, c.required) for c in contract.columns] == documented_columns()[dataset]
