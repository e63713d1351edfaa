"""What `odl datasets` shows: each dataset folder, what it is, and whether it is complete.

Complete means: its contracts load; its code files load and give what the contracts name (a
layout's LAYOUT, a transform's build, the DERIVED tables checks.json uses); a published dataset's
suite.json is current; a source dataset has its demo sample (sample.py), whose files its own file
patterns route to it, and its test fixture (fixture.*). Problems name the file and field at fault,
in English and Japanese.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transforms.contracts import ContractError, PublishedContract, SourceContract, discover
from transforms.reference import Municipalities, load_municipalities
from transforms.samples import SAMPLE_FILE, sample_of

FIXTURE_STEM = "fixture"

Problem = dict[str, str | None]


@dataclass(frozen=True)
class DatasetFolder:
    id: str
    path: Path
    title: str
    department: str
    kind: str  # source | published | both | broken
    inputs: tuple[str, ...]
    problems: list[Problem] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": str(self.path),
            "title": self.title,
            "department": self.department,
            "kind": self.kind,
            "inputs": list(self.inputs),
            "complete": self.complete,
            "problems": self.problems,
        }


def fixture_path(folder: Path) -> Path | None:
    """The folder's small accepted submission (fixture.csv, fixture.xlsx, …), if it has one."""
    found = sorted(path for path in folder.glob(f"{FIXTURE_STEM}.*") if path.is_file())
    return found[0] if found else None


def _problem(path: Path, en: str, ja: str, field_name: str | None = None) -> Problem:
    return ContractError(path, en, ja, field_name).to_dict()


def _failure(path: Path, what_en: str, what_ja: str, attempt: Callable[[], object]) -> list[Problem]:
    """[] when attempt runs; else the problem, with what went wrong (a folder's code may raise anything)."""
    try:
        attempt()
    except Exception as problem:  # whatever a folder's file does, the listing goes on
        if isinstance(problem, ContractError):
            return [problem.to_dict()]
        reason = f"{type(problem).__name__}: {problem}"
        return [_problem(path, f"{what_en} ({reason})", f"{what_ja}（{reason}）")]
    return []


def _source_problems(contract: SourceContract, others: list[SourceContract]) -> list[Problem]:
    from transforms.layouts import layout_of

    folder, problems = contract.path.parent, []
    if contract.layout:
        problems += _failure(
            folder / contract.layout, "its LAYOUT does not load", "LAYOUT を読み込めません", lambda: layout_of(contract)
        )
    if not (folder / SAMPLE_FILE).is_file():
        problems.append(_problem(folder / SAMPLE_FILE, "no demo sample", "デモ用のサンプル（sample.py）がありません"))
    else:
        problems += _failure(
            folder / SAMPLE_FILE, "it does not load", "読み込めません", lambda: _sample_names(contract)
        )
        if not problems:
            for name in _sample_names(contract):
                routed = [
                    c.id
                    for c in [contract, *others]
                    if c.department == contract.department and c.matches_filename(name)
                ]
                if routed != [contract.id]:
                    problems.append(
                        _problem(
                            contract.path,
                            f"the sample file {name} is routed to {routed or 'no dataset'} by the file patterns",
                            f"サンプルのファイル {name} は file_patterns で {routed or 'どのデータセットにも'} 振り分けられます",
                            "file_patterns",
                        )
                    )
    if fixture_path(folder) is None:
        problems.append(
            _problem(folder / FIXTURE_STEM, "no test fixture", "テスト用の小さな提出ファイル（fixture.*）がありません")
        )
    return problems


def _sample_names(contract: SourceContract) -> list[str]:
    sample = sample_of(contract)
    assert sample is not None
    if not callable(getattr(sample, "write_samples", None)):
        raise AttributeError("no write_samples(folder, municipalities)")
    return list(sample.EXPECTED)


def _published_problems(contract: PublishedContract, municipalities: Municipalities) -> list[Problem]:
    from transforms.connect.builders import transform_of
    from transforms.connect.derived import derived_tables_of
    from transforms.connect.suites import generate_suite, suite_is_current, suite_path

    folder = contract.path.parent
    problems = _failure(
        folder / contract.transform,
        "the transform does not load",
        "変換を読み込めません",
        lambda: transform_of(contract),
    )
    suite: dict[str, Any] = {}
    problems += _failure(
        folder / "checks.json",
        "the suite cannot be made",
        "suite を作れません",
        lambda: suite.update(generate_suite(contract, municipalities)),
    )
    if suite:
        named = set(suite["meta"]["odl"]["derived_tables"])
        defined: dict[str, Any] = {}
        problems += _failure(
            folder / "derived.py",
            "it does not load",
            "読み込めません",
            lambda: defined.update(derived_tables_of(contract)),
        )
        missing = sorted(named - set(defined))
        if missing and not problems:
            problems.append(
                _problem(
                    folder / "derived.py",
                    f"checks.json names derived tables {missing} that DERIVED lacks",
                    f"checks.json の派生テーブル {missing} が derived.py の DERIVED にありません",
                    "DERIVED",
                )
            )
        if not suite_is_current(contract, municipalities):
            problems.append(
                _problem(
                    suite_path(contract),
                    "suite.json is not current: run `odl expectations`",
                    "suite.json が契約と合っていません。`odl expectations` を実行してください",
                )
            )
    return problems


def dataset_folders_status(catalog_dir: Path | None = None) -> list[DatasetFolder]:
    catalog = discover(catalog_dir)
    municipalities = load_municipalities(catalog_dir)
    entries = []
    for folder in catalog.folders:
        source, published = catalog.sources.get(folder.name), catalog.published.get(folder.name)
        if folder.name in catalog.broken:
            problem = catalog.broken[folder.name]
            entries.append(DatasetFolder(folder.name, folder, "", "", "broken", (), [problem.to_dict()]))
            continue
        problems = []
        if source is not None:
            problems += _source_problems(source, [c for c in catalog.sources.values() if c is not source])
        if published is not None:
            problems += _published_problems(published, municipalities)
        contract = published or source
        assert contract is not None  # a folder with neither is broken
        kind = "both" if source and published else "source" if source else "published"
        inputs = published.inputs if published else ()
        entries.append(DatasetFolder(folder.name, folder, contract.title, contract.department, kind, inputs, problems))
    return entries
