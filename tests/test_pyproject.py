"""pyproject.toml names every third-party package the product code imports, and the lock pins them.

The imports are read from the source (ast), so one inside a function counts as much as one at the
top; each module is mapped to the distribution installed for it in .venv.
"""

import ast
import sys
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.requirements.test_environments import locked_versions

REPO_ROOT = Path(__file__).resolve().parents[1]
AIRFLOW_LOCK = REPO_ROOT / "requirements" / "airflow.lock"
FIRST_PARTY = {"transforms", *(path.name for path in (REPO_ROOT / "plugins").iterdir() if path.is_dir())}


def odl_code() -> list[Path]:
    """The `odl` distribution's code: transforms/ and the dataset folders' Python files it loads."""
    return [*(REPO_ROOT / "transforms").rglob("*.py"), *(REPO_ROOT / "catalog" / "datasets").glob("*/*.py")]


def airflow_side_code() -> list[Path]:
    return [*(REPO_ROOT / "plugins").rglob("*.py"), *(REPO_ROOT / "dags").glob("*.py")]


def third_party_imports(files: Iterable[Path], root: Path = REPO_ROOT) -> dict[str, set[str]]:
    """Top-level module → the files importing it, leaving out the standard library and the project's own code."""
    found: dict[str, set[str]] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skipped = _for_type_checkers_only(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(top, set()).add(str(path.relative_to(root)))
    return found


def _for_type_checkers_only(tree: ast.AST) -> set[int]:
    """The nodes inside `if TYPE_CHECKING:` blocks: their imports (e.g. _typeshed) never run."""
    blocks = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}
    ]
    return {id(inner) for block in blocks for statement in block.body for inner in ast.walk(statement)}


@cache
def distributions(module: str) -> set[str]:
    """The installed distributions providing a top-level module (yaml → pyyaml), canonical names."""
    return {canonicalize_name(name) for name in _installed().get(module, [])}


@cache
def _installed() -> dict[str, list[str]]:
    return dict(packages_distributions())


def declared_dependencies() -> set[str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(Requirement(line).name) for line in project["dependencies"]}


def undeclared(imports: dict[str, set[str]], declared: set[str]) -> dict[str, str]:
    """Imported modules no declared distribution provides, each with where it is imported."""
    return {
        module: ", ".join(sorted(files)) for module, files in imports.items() if not distributions(module) & declared
    }


def test_every_third_party_import_of_the_odl_code_is_declared_in_pyproject() -> None:
    missing = undeclared(third_party_imports(odl_code()), declared_dependencies())
    assert not missing, f"add to [project] dependencies in pyproject.toml: {missing}"


def test_pyproject_declares_only_what_the_odl_code_imports() -> None:
    imported = set().union(*(distributions(module) for module in third_party_imports(odl_code())))
    assert declared_dependencies() - imported == set(), "declared in pyproject.toml but imported nowhere"


def test_every_declared_dependency_is_pinned_in_the_airflow_lock() -> None:
    """The lock is resolved from requirements/airflow.in; some of these come in only through Airflow (PyYAML)."""
    assert declared_dependencies() - set(locked_versions(AIRFLOW_LOCK)) == set()


def test_the_airflow_side_imports_only_what_the_airflow_lock_pins() -> None:
    """plugins/ and dags/ run inside Airflow: apache-airflow brings what they import (airflow, fastapi)."""
    locked = set(locked_versions(AIRFLOW_LOCK))
    imports = third_party_imports(airflow_side_code())
    assert imports, "the scan found no imports of airflow"
    assert undeclared(imports, locked) == {}


def test_the_check_bites_on_an_undeclared_and_on_an_uninstalled_import(tmp_path: Path) -> None:
    code = tmp_path / "transform.py"
    code.write_text(
        "import json\nfrom typing import TYPE_CHECKING\n\nimport pandas as pd\n\n"
        "from transforms.samples import csv_text\n\nif TYPE_CHECKING:\n    from _typeshed import StrPath\n\n\n"
        "def read() -> None:\n    import yaml.constructor\n    import not_an_installed_module\n",
        encoding="utf-8",
    )
    imports = third_party_imports([code], root=tmp_path)

    assert set(imports) == {"pandas", "yaml", "not_an_installed_module"}
    assert undeclared(imports, {"pandas"}) == {"yaml": "transform.py", "not_an_installed_module": "transform.py"}
