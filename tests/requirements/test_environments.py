"""The two virtualenvs are what the locks say, consistent, and able to run odl."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO_ROOT / "requirements"
VENV_BIN = REPO_ROOT / ".venv" / "bin"
VENV_CKAN_BIN = REPO_ROOT / ".venv-ckan" / "bin"


def locked_versions(lock: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", lock.read_text(), flags=re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


def direct_requirements(requirements_in: Path) -> list[Requirement]:
    lines = (line.split("#")[0].strip() for line in requirements_in.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


@pytest.mark.parametrize("name", ["airflow", "ckan"])
def test_lock_satisfies_every_direct_requirement(name: str) -> None:
    locked = locked_versions(REQUIREMENTS / f"{name}.lock")
    for requirement in direct_requirements(REQUIREMENTS / f"{name}.in"):
        version = locked.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} missing from {name}.lock"
        assert requirement.specifier.contains(version, prereleases=True), f"{requirement} but locked {version}"


def test_airflow_lock_avoids_known_traps() -> None:
    locked = locked_versions(REQUIREMENTS / "airflow.lock")
    assert "airflow-provider-great-expectations" not in locked  # pins structlog<25.5, Airflow 3.3 needs >=26.1
    assert int(locked["numpy"].split(".")[0]) >= 2
    assert locked["great-expectations"].startswith("1.")


@pytest.mark.parametrize("bin_dir", [VENV_BIN, VENV_CKAN_BIN], ids=[".venv", ".venv-ckan"])
def test_pip_check_is_clean(bin_dir: Path) -> None:
    result = subprocess.run([bin_dir / "pip", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("bin_dir, lock", [(VENV_BIN, "airflow.lock"), (VENV_CKAN_BIN, "ckan.lock")])
def test_installed_versions_match_the_lock(bin_dir: Path, lock: str) -> None:
    listing = subprocess.run(
        [bin_dir / "python", "-m", "pip", "list", "--format=freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {canonicalize_name(line.split("==")[0]): line.split("==")[1] for line in listing.split()}
    assert installed == locked_versions(REQUIREMENTS / lock)


def test_airflow_venv_imports_pyarrow_with_gx_1_and_numpy_2() -> None:
    code = (
        "import numpy, pyarrow, great_expectations as gx; print(gx.__version__, numpy.__version__, pyarrow.__version__)"
    )
    out = subprocess.run([VENV_BIN / "python", "-c", code], capture_output=True, text=True, check=True).stdout
    gx_version, numpy_version, pyarrow_version = out.split()
    assert tuple(map(int, gx_version.split(".")[:2])) >= (1, 24)
    assert int(numpy_version.split(".")[0]) >= 2
    assert pyarrow_version.startswith("26.")


def test_odl_console_script_lists_its_subcommands() -> None:
    out = subprocess.run([VENV_BIN / "odl", "--help"], capture_output=True, text=True, check=True).stdout
    for subcommand in ("check", "submit", "doctor"):
        assert subcommand in out


def test_project_code_is_installed_editable_into_the_venv() -> None:
    code = "import transforms; print(transforms.__file__)"
    out = subprocess.run([VENV_BIN / "python", "-c", code], capture_output=True, text=True, check=True).stdout
    assert Path(out.strip()).parent == REPO_ROOT / "transforms"
    assert Path(sys.executable).parent.resolve() == VENV_BIN.resolve(), "tests must run in .venv"


def test_ckan_venv_has_ckan_and_the_project_extension() -> None:
    code = (
        "from importlib.metadata import version, entry_points; "
        "print(version('ckan')); "
        "print(entry_points(group='ckan.plugins')['odl_search'].load().__name__); "
        "print(entry_points(group='ckan.plugins')['odl_datastore'].load().__name__)"
    )
    out = subprocess.run([VENV_CKAN_BIN / "python", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2.11.6", "OdlSearchPlugin", "OdlDatastorePlugin"]


@pytest.mark.parametrize(("venv", "module"), [(".venv", "airflow"), (".venv-ckan", "ckan")])
def test_installed_packages_come_with_bytecode(venv: str, module: str) -> None:
    """Compiled at install: with PYTHONDONTWRITEBYTECODE set, every process would compile them again."""
    site_packages = next((REPO_ROOT / venv / "lib").glob("python3.*/site-packages"))
    cached = site_packages / module / "__pycache__"
    assert any(cached.glob(f"__init__.cpython-{sys.version_info.major}{sys.version_info.minor}*.pyc"))
