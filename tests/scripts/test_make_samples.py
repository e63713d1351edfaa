"""scripts/make_samples.py: the demo's submissions are reproducible, routed, and accepted or rejected as meant."""

import subprocess
import sys
from pathlib import Path

import pytest

from transforms.contracts import load_source_contracts
from transforms.validate import check_file

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_samples.py"

# Valid samples: file → (dataset, rows after checking).
VALID = {
    "disaster-prevention/指定緊急避難場所一覧_令和6年度.csv": ("evacuation-sites", 1505),
    "tourism/観光施設一覧.xlsx": ("tourism-facilities", 800),
    "tourism/観光入込客数_令和5-6年度.xlsx": ("tourist-visitors", 2 * 29 * 12),  # two years, 29 市町, 12 months
    "agriculture/豚熱検査結果_令和6年度.csv": ("csf-wild-boar", 3000),
}
# Rejected samples: file → (dataset, one error code per planted mistake).
REJECTED = {
    "disaster-prevention/指定緊急避難場所一覧_修正前.csv": (
        "evacuation-sites",
        {"invalid_flag", "coordinates_swapped", "lg_code_check_digit", "duplicate_key", "required_value_missing"},
    ),
    "tourism/観光施設一覧_追加分.csv": (
        "tourism-facilities",
        {"invalid_time", "lg_code_not_in_mie", "formula_like_text", "coordinates_incomplete"},
    ),
    "agriculture/豚熱検査結果_差し戻し.csv": (
        "csf-wild-boar",
        {"unknown_municipality", "date_order", "invalid_choice", "impossible_date", "era_year_out_of_range"},
    ),
}


def generate(out: Path) -> dict[str, bytes]:
    """Run the script as the demo does; every file it wrote, by path under out."""
    subprocess.run([sys.executable, str(SCRIPT), str(out)], check=True)
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("samples")
    return out, generate(out)


def test_two_runs_write_byte_identical_files(samples: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    _, first = samples
    assert set(first) == set(VALID) | set(REJECTED)
    assert generate(tmp_path) == first


def test_each_file_is_recognised_by_exactly_one_contract_of_its_department(
    samples: tuple[Path, dict[str, bytes]],
) -> None:
    contracts = load_source_contracts()
    for name, (dataset, _) in {**VALID, **REJECTED}.items():
        department, filename = name.split("/")
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
