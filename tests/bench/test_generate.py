"""The benchmark's submissions: built from the dataset folders' demo samples, and accepted by `odl check`."""

from collections.abc import Callable
from pathlib import Path

import pytest

from bench.generate import write_csf_wild_boar, write_tourism_facilities
from transforms.contracts import load_source_contracts
from transforms.reference import load_municipalities
from transforms.validate import check_file


@pytest.mark.parametrize(
    ("dataset", "write"), [("csf-wild-boar", write_csf_wild_boar), ("tourism-facilities", write_tourism_facilities)]
)
def test_a_small_generated_submission_is_deterministic_and_passes_odl_check(
    dataset: str, write: Callable[[Path, int], Path], tmp_path: Path
) -> None:
    first, second = write(tmp_path / "a.csv", 60), write(tmp_path / "b.csv", 60)

    assert first.read_bytes() == second.read_bytes()
    checked = check_file(first, load_source_contracts()[dataset], load_municipalities())
    assert (checked.rows, checked.errors) == (60, [])
