"""House rules for every DAG file, checked on the real dags/ and shown to bite on throwaway DAGs; a broken dataset
folder leaves the other datasets' DAGs parsing."""

import ast
import shutil
import textwrap
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from odl_airflow.dag_defaults import STAGE_TAGS

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
CATALOG = Path(__file__).resolve().parents[2] / "catalog"

# Each costs seconds to import; the scheduler parses DAG files in a loop.
HEAVY_MODULES = frozenset({"pandas", "pyarrow", "great_expectations", "ckanapi"})
MIN_RETRIES = 2


def heavy_top_level_imports(path: Path) -> list[str]:
    """Heavy modules imported when the file is parsed (module body, not inside functions or classes)."""
    found = []
    pending = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        else:
            pending.extend(ast.iter_child_nodes(node))
    return sorted({name for name in found if name.split(".")[0] in HEAVY_MODULES})


def house_rule_violations(dag_folder: Path) -> list[str]:
    """Every way the DAG files in dag_folder break the house rules, one line each."""
    bag = DagBag(dag_folder=str(dag_folder))
    failed_files = {Path(path).name: error for path, error in bag.import_errors.items()}
    problems = [f"{name}: import error: {error.strip().splitlines()[-1]}" for name, error in failed_files.items()]
    files_with_dags = {Path(dag.fileloc).name for dag in bag.dags.values()}
    for path in sorted(dag_folder.glob("*.py")):
        for module in heavy_top_level_imports(path):
            problems.append(f"{path.name}: imports {module} at top level")
        if path.name not in files_with_dags and path.name not in failed_files:
            problems.append(f"{path.name}: defines no DAG")
    for dag_id, dag in sorted(bag.dags.items()):
        stage_tags = set(dag.tags) & STAGE_TAGS
        if len(stage_tags) != 1:
            problems.append(f"{dag_id}: needs exactly one of the tags {sorted(STAGE_TAGS)}, has {sorted(dag.tags)}")
        if not dag.doc_md:
            problems.append(f"{dag_id}: has no doc_md")
        for task in dag.tasks:
            if task.retries < MIN_RETRIES:
                problems.append(f"{dag_id}.{task.task_id}: retries={task.retries} < {MIN_RETRIES}")
            if not (task.on_failure_callback or dag.on_failure_callback):
                problems.append(f"{dag_id}.{task.task_id}: has no failure callback")
    return problems


def test_repository_dags_follow_house_rules() -> None:
    assert house_rule_violations(DAGS_DIR) == []


GOOD_DAG = '''
"""A DAG that follows every rule."""
from airflow.sdk import dag, task

from odl_airflow.dag_defaults import DEFAULT_ARGS


@dag(schedule=None, tags=["store"], doc_md=__doc__, default_args=DEFAULT_ARGS)
def throwaway():
    @task
    def work():
        import pandas  # inside a task: paid only when the task runs

        return len(pandas.__version__)

    work()


throwaway()
'''

# Each case breaks exactly one rule of GOOD_DAG and names the violation it must produce.
BROKEN_DAGS = {
    "import error": (GOOD_DAG.replace("throwaway()\n", "throwaway()\nraise RuntimeError('boom')\n"), "import error"),
    "no stage tag": (GOOD_DAG.replace('tags=["store"]', 'tags=["misc"]'), "needs exactly one of the tags"),
    "two stage tags": (GOOD_DAG.replace('tags=["store"]', 'tags=["store", "create"]'), "needs exactly one"),
    "no doc_md": (GOOD_DAG.replace("doc_md=__doc__, ", ""), "has no doc_md"),
    "too few retries": (
        GOOD_DAG.replace("default_args=DEFAULT_ARGS", 'default_args={**DEFAULT_ARGS, "retries": 1}'),
        "retries=1 < 2",
    ),
    "no failure callback": (
        GOOD_DAG.replace("default_args=DEFAULT_ARGS", 'default_args={**DEFAULT_ARGS, "on_failure_callback": None}'),
        "has no failure callback",
    ),
    "heavy import at top level": (
        GOOD_DAG.replace("from airflow.sdk", "import pyarrow\nfrom airflow.sdk"),
        "imports pyarrow",
    ),
    "heavy import under if": (
        GOOD_DAG.replace("from airflow.sdk", "if True:\n    from great_expectations import core\nfrom airflow.sdk"),
        "imports great_expectations",
    ),
    "file without a DAG": ('"""Helpers only."""\nVALUE = 1\n', "defines no DAG"),
}


def write_dag(folder: Path, source: str) -> Path:
    path = folder / "throwaway_dag.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_a_dag_following_the_rules_has_no_violations(tmp_path: Path) -> None:
    write_dag(tmp_path, GOOD_DAG)
    assert house_rule_violations(tmp_path) == []


@pytest.mark.parametrize("case", BROKEN_DAGS)
def test_each_broken_rule_is_reported(tmp_path: Path, case: str) -> None:
    source, expected = BROKEN_DAGS[case]
    write_dag(tmp_path, source)
    problems = house_rule_violations(tmp_path)
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_a_broken_folder_never_stops_the_other_datasets_dags_from_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(CATALOG, tmp_path / "catalog")
    broken = tmp_path / "catalog" / "datasets" / "broken"
    broken.mkdir()
    (broken / "source.yaml").write_text("id: broken\ncolumns: [{name: A, type: nonsense}]\n", encoding="utf-8")
    (tmp_path / "catalog" / "datasets" / "tourism-facilities" / "published.yaml").write_text("id: [", encoding="utf-8")
    monkeypatch.setenv("ODL_CATALOG_DIR", str(tmp_path / "catalog"))
    bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    assert "connect_evacuation_sites" in bag.dag_ids and "create_csf_wild_boar_monthly" in bag.dag_ids
    assert not any("tourism_facilities" in dag_id for dag_id in bag.dag_ids)
