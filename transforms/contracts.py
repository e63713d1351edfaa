"""Dataset contracts as data: `catalog/sources/*.yaml` and `catalog/departments.yaml`.

A contract names a dataset's columns, their types and rules, its key and owner,
and how to recognise its files. Code stays generic over contracts; adding a
dataset means adding a YAML file here, not code.
"""

import fnmatch
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from transforms import settings

COLUMN_TYPES = frozenset(
    {
        "text",  # free text: kept as submitted apart from trimming
        "kana",  # *_カナ: half-width katakana widened
        "lg_code",  # 全国地方公共団体コード with check digit
        "municipality",  # a Mie 市町名, with or without its 郡
        "integer",
        "decimal",
        "latitude",
        "longitude",
        "flag",  # "1" or empty
        "date",  # 西暦 or 和暦, stored YYYY-MM-DD
        "year_month",  # YYYY-MM, produced by layouts
        "time",  # HH:MM
        "phone",
        "url",
        "choice",
    }
)
TABLE_CHECKS = frozenset({"coordinates", "date_order"})


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    in_mie: bool = False  # lg_code: must be one of Mie's codes
    non_negative: bool = False  # integer
    choices: tuple[str, ...] = ()  # choice
    label_en: str = ""  # for the published data dictionary
    description: str = ""  # Japanese notes for the published data dictionary


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    name_en: str
    description: str = ""
    contact: str = ""  # where citizens send questions about the department's data


class HasColumns:
    """Column lookups shared by source and published contracts."""

    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


@dataclass(frozen=True)
class SourceContract(HasColumns):
    id: str
    title: str
    department: str
    file_patterns: tuple[str, ...]
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    checks: tuple[dict[str, Any], ...] = ()
    layout: str | None = None  # registered reshaping of the submitted sheet (transforms.layouts)
    path: Path = field(default=Path(), compare=False)

    def matches_filename(self, filename: str) -> bool:
        # NFKC so a full-width or half-width-kana file name matches the same pattern.
        name = unicodedata.normalize("NFKC", filename).lower()
        return any(fnmatch.fnmatchcase(name, unicodedata.normalize("NFKC", p).lower()) for p in self.file_patterns)


@dataclass(frozen=True)
class PublishedContract(HasColumns):
    """A dataset citizens get from CKAN: built by a connect transform from source datasets, then published."""

    id: str  # also the CKAN dataset name
    title: str
    title_en: str
    department: str
    description: str
    tags: tuple[str, ...]
    update_frequency: str
    inputs: tuple[str, ...]  # source datasets whose accepted submissions it is built from
    transform: str  # registered connect transform (transforms.connect)
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    standard_dataset: str | None = None  # 自治体標準オープンデータセット kind, e.g. 指定緊急避難場所一覧
    path: Path = field(default=Path(), compare=False)


class ContractError(ValueError):
    """A contract file is malformed: caught by tests and at load, never at a department."""


def _column(raw: dict[str, Any], where: Path) -> Column:
    if raw.get("type") not in COLUMN_TYPES:
        raise ContractError(f"{where}: column {raw.get('name')!r} has unknown type {raw.get('type')!r}")
    if raw["type"] == "choice" and not raw.get("choices"):
        raise ContractError(f"{where}: choice column {raw['name']!r} lists no choices")
    return Column(
        name=str(raw["name"]),
        type=raw["type"],
        required=bool(raw.get("required", False)),
        in_mie=bool(raw.get("in_mie", False)),
        non_negative=bool(raw.get("non_negative", False)),
        choices=tuple(str(choice) for choice in raw.get("choices", ())),
        label_en=str(raw.get("label_en", "")),
        description=str(raw.get("description", "")),
    )


def _source_contract(path: Path) -> SourceContract:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    columns = tuple(_column(column, path) for column in raw["columns"])
    names = [column.name for column in columns]
    if len(set(names)) != len(names):
        raise ContractError(f"{path}: duplicate column names")
    checks = tuple(raw.get("checks", ()))
    for check in checks:
        if check.get("check") not in TABLE_CHECKS:
            raise ContractError(f"{path}: unknown check {check.get('check')!r}")
        unknown = {value for name, value in check.items() if name != "check"} - set(names)
        if unknown:
            raise ContractError(f"{path}: check {check['check']} names unknown columns {sorted(unknown)}")
    if not set(raw["key"]) <= set(names):
        raise ContractError(f"{path}: key {raw['key']} names unknown columns")
    if raw["id"] != path.stem:
        raise ContractError(f"{path}: id {raw['id']!r} differs from the file name")
    return SourceContract(
        id=raw["id"],
        title=raw["title"],
        department=raw["department"],
        file_patterns=tuple(raw["file_patterns"]),
        key=tuple(raw["key"]),
        columns=columns,
        checks=checks,
        layout=raw.get("layout"),
        path=path,
    )


def _published_contract(path: Path, sources: dict[str, SourceContract]) -> PublishedContract:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if raw["id"] != path.stem:
        raise ContractError(f"{path}: id {raw['id']!r} differs from the file name")
    inherited: tuple[Column, ...] = ()
    if "columns_from_source" in raw:
        if raw["columns_from_source"] not in sources:
            raise ContractError(f"{path}: columns_from_source names unknown dataset {raw['columns_from_source']!r}")
        inherited = sources[raw["columns_from_source"]].columns
    columns = inherited + tuple(_column(column, path) for column in raw.get("columns", ()))
    names = [column.name for column in columns]
    if len(set(names)) != len(names):
        raise ContractError(f"{path}: duplicate column names")
    if not set(raw["key"]) <= set(names):
        raise ContractError(f"{path}: key {raw['key']} names unknown columns")
    unknown_inputs = set(raw["inputs"]) - set(sources)
    if unknown_inputs:
        raise ContractError(f"{path}: inputs name unknown source datasets {sorted(unknown_inputs)}")
    return PublishedContract(
        id=raw["id"],
        title=raw["title"],
        title_en=raw["title_en"],
        department=raw["department"],
        description=raw["description"].strip(),
        tags=tuple(raw.get("tags", ())),
        update_frequency=raw["update_frequency"],
        inputs=tuple(raw["inputs"]),
        transform=raw["transform"],
        key=tuple(raw["key"]),
        columns=columns,
        params=dict(raw.get("params") or {}),
        standard_dataset=raw.get("standard_dataset"),
        path=path,
    )


def load_published_contracts(catalog_dir: Path | None = None) -> dict[str, PublishedContract]:
    folder = (catalog_dir or settings.catalog_dir()) / "published"
    sources = load_source_contracts(catalog_dir)
    departments = load_departments(catalog_dir)
    contracts = {path.stem: _published_contract(path, sources) for path in sorted(folder.glob("*.yaml"))}
    for contract in contracts.values():
        if contract.department not in departments:
            raise ContractError(f"{contract.path}: unknown department {contract.department!r}")
    return contracts


def load_departments(catalog_dir: Path | None = None) -> dict[str, Department]:
    path = (catalog_dir or settings.catalog_dir()) / "departments.yaml"
    return {raw["id"]: Department(**raw) for raw in yaml.safe_load(path.read_text(encoding="utf-8"))}


def load_source_contracts(catalog_dir: Path | None = None) -> dict[str, SourceContract]:
    folder = (catalog_dir or settings.catalog_dir()) / "sources"
    contracts = {path.stem: _source_contract(path) for path in sorted(folder.glob("*.yaml"))}
    departments = load_departments(catalog_dir)
    for contract in contracts.values():
        if contract.department not in departments:
            raise ContractError(f"{contract.path}: unknown department {contract.department!r}")
    return contracts


def department_by_name_or_id(text: str, catalog_dir: Path | None = None) -> Department:
    """Departments are named by id (tourism) or Japanese name (観光部) on the command line."""
    for department in load_departments(catalog_dir).values():
        if text in (department.id, department.name):
            return department
    raise KeyError(text)
