"""What `odl datasets` shows: each dataset folder, what it is, and whether it is complete.

Complete means: its contracts load, a published dataset's suite.json is current, and a source
dataset has its demo sample (sample.py) and its test fixture (fixture.*). Problems name the file
and field at fault, in English and Japanese.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transforms.contracts import ContractError, discover
from transforms.reference import load_municipalities
from transforms.samples import SAMPLE_FILE

FIXTURE_STEM = "fixture"


@dataclass(frozen=True)
class DatasetFolder:
    id: str
    path: Path
    title: str
    department: str
    kind: str  # source | published | both | broken
    inputs: tuple[str, ...]
    problems: list[dict[str, str | None]] = field(default_factory=list)

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


def _missing(path: Path, en: str, ja: str) -> dict[str, str | None]:
    return ContractError(path, en, ja).to_dict()


def dataset_folders_status(catalog_dir: Path | None = None) -> list[DatasetFolder]:
    from transforms.connect.suites import suite_is_current, suite_path

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
            if not (folder / SAMPLE_FILE).is_file():
                problems.append(_missing(folder / SAMPLE_FILE, "no demo sample", "デモ用のサンプル（sample.py）がありません"))
            if fixture_path(folder) is None:
                problems.append(
                    _missing(folder / FIXTURE_STEM, "no test fixture", "テスト用の小さな提出ファイル（fixture.*）がありません")
                )
        if published is not None and not suite_is_current(published, municipalities):
            problems.append(
                _missing(
                    suite_path(published),
                    "suite.json is not current: run `odl expectations`",
                    "suite.json が契約と合っていません。`odl expectations` を実行してください",
                )
            )
        contract = published or source
        assert contract is not None  # a folder with neither is broken
        kind = "both" if source and published else "source" if source else "published"
        inputs = published.inputs if published else ()
        entries.append(DatasetFolder(folder.name, folder, contract.title, contract.department, kind, inputs, problems))
    return entries
