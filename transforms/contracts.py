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


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    name_en: str


@dataclass(frozen=True)
class SourceContract:
    id: str
    title: str
    department: str
    file_patterns: tuple[str, ...]
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    checks: tuple[dict[str, Any], ...] = ()
    layout: str | None = None  # registered reshaping of the submitted sheet (transforms.layouts)
    path: Path = field(default=Path(), compare=False)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def matches_filename(self, filename: str) -> bool:
        # NFKC so a full-width or half-width-kana file name matches the same pattern.
        name = unicodedata.normalize("NFKC", filename).lower()
        return any(fnmatch.fnmatchcase(name, unicodedata.normalize("NFKC", p).lower()) for p in self.file_patterns)


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
