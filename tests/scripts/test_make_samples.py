"""scripts/make_samples.py: the demo's submissions are reproducible, routed, and accepted or rejected as meant.

What each file should get from the check is data in its dataset folder (sample.py's EXPECTED).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from transforms.contracts import load_source_contracts
from transforms.samples import sample_of
from transforms.validate import check_file

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_samples.py"


def _expected() -> dict[str, tuple[str, dict[str, object]]]:
    """Every sample file the folders promise, as department/dataset/file → (dataset, what the check says)."""
    found = {}
    for contract in load_source_contracts().values():
        sample = sample_of(contract)
        for name, expected in (sample.EXPECTED if sample else {}).items():
            found[f"{contract.department}/{contract.id}/{name}"] = (contract.id, expected)
    return found


EXPECTED = _expected()
VALID = {name: (dataset, e["rows"]) for name, (dataset, e) in EXPECTED.items() if "rows" in e}
REJECTED = {name: (dataset, set(e["errors"])) for name, (dataset, e) in EXPECTED.items() if "errors" in e}


def generate(out: Path) -> dict[str, bytes]:
    """Run the script as the demo does; every file it wrote, by path under out."""
    subprocess.run([sys.executable, str(SCRIPT), str(out)], check=True)
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("samples")
    return out, generate(out)


def test_every_source_dataset_has_an_accepted_sample_and_every_department_a_rejected_one() -> None:
    contracts = load_source_contracts()
    assert {dataset for dataset, _ in VALID.values()} == set(contracts)
    departments = {contracts[dataset].department for dataset, _ in REJECTED.values()}
    assert departments == {contract.department for contract in contracts.values()}


def test_two_runs_write_byte_identical_files(samples: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    _, first = samples
    assert set(first) == set(VALID) | set(REJECTED)
    assert generate(tmp_path) == first


def test_each_file_is_recognised_by_exactly_one_contract_of_its_department(
    samples: tuple[Path, dict[str, bytes]],
) -> None:
    contracts = load_source_contracts()
    for name, (dataset, _) in {**VALID, **REJECTED}.items():
        department, _, filename = name.split("/")
        matches = [c.id for c in contracts.values() if c.department == department and c.matches_filename(filename)]
        assert matches == [dataset], name


@pytest.mark.parametrize(("name", "dataset", "rows"), [(name, *expected) for name, expected in VALID.items()])
def test_valid_samples_pass_the_check(
    samples: tuple[Path, dict[str, bytes]], name: str, dataset: str, rows: int
) -> None:
    result = check_file(samples[0] / name, load_source_contracts()[dataset])
    assert result.valid, [(f.row, f.column, f.code) for f in result.errors]
    assert result.rows == rows
    assert "total_mismatch" not in {f.code for f in result.warnings}


@pytest.mark.parametrize(("name", "dataset", "codes"), [(name, *expected) for name, expected in REJECTED.items()])
def test_rejected_samples_fail_with_exactly_the_planted_mistakes(
    samples: tuple[Path, dict[str, bytes]], name: str, dataset: str, codes: set[str]
) -> None:
    result = check_file(samples[0] / name, load_source_contracts()[dataset])
    assert result.table is not None
    found = [f.code for f in result.errors]
    assert set(found) == codes
    assert len(found) == len(codes)


def test_a_folder_whose_sample_raises_leaves_the_others_written(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "catalog", catalog, ignore=shutil.ignore_patterns("__pycache__")
    )
    (catalog / "datasets" / "tourist-visitors" / "sample.py").write_text("raise RuntimeError('half-written')\n")
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "out")],
        env={**os.environ, "ODL_CATALOG_DIR": str(catalog)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0
    assert "tourist-visitors: RuntimeError: half-written" in run.stderr
    written = {path.parent.name for path in (tmp_path / "out").rglob("*") if path.is_file()}
    assert written == {dataset for dataset, _ in VALID.values()} - {"tourist-visitors"}
