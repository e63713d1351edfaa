"""Dataset contracts as data, discovered from the dataset folders `catalog/datasets/<id>/`.

A folder is everything one dataset is (see catalog/datasets/README.md): `source.yaml` says what a
department submits (columns, types, rules, key, file patterns), `published.yaml` what citizens get
and which source datasets it is built from; beside them its checks, suite, code, sample and
fixture. The engine lists the folders; no module names a dataset. A broken folder is reported
with the file and field at fault and left out, so it never stops the other datasets.
"""

import fnmatch
import importlib.util
import logging
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from transforms import settings
from transforms.column_types import TYPES

COLUMN_TYPES = TYPES.keys()  # what a column's `type:` may say: the registry's types, each described there
TABLE_CHECKS = frozenset({"coordinates", "date_order"})


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    in_mie: bool = False  # lg_code: must be one of Mie's codes
    non_negative: bool = False  # integer and decimal
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
    layout: str | None = None  # the folder's layout.py, when the submitted sheet needs reshaping
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
    transform: str  # the folder's transform.py, or a shared one by name (transforms.connect.builders)
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    standard_dataset: str | None = None  # 自治体標準オープンデータセット kind, e.g. 指定緊急避難場所一覧
    path: Path = field(default=Path(), compare=False)


class ContractError(ValueError):
    """A dataset folder is malformed: names the file and field at fault, in English and Japanese."""

    def __init__(self, path: Path, en: str, ja: str, field: str | None = None) -> None:
        super().__init__(f"{path}: {en}")
        self.path, self.en, self.ja, self.field = path, en, ja, field

    def to_dict(self) -> dict[str, str | None]:
        return {"file": str(self.path), "field": self.field, "en": self.en, "ja": self.ja}


log = logging.getLogger(__name__)

SOURCE_FILE = "source.yaml"
PUBLISHED_FILE = "published.yaml"


def datasets_dir(catalog_dir: Path | None = None) -> Path:
    return (catalog_dir or settings.catalog_dir()) / "datasets"


def dataset_folders(catalog_dir: Path | None = None) -> list[Path]:
    """Every dataset folder, by id; a folder starting with `.` or `_` is not a dataset."""
    folder = datasets_dir(catalog_dir)
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith((".", "_")))


def load_code(folder: Path, filename: str) -> ModuleType:
    """A dataset folder's Python file (layout.py, transform.py, derived.py, sample.py), imported once per path.

    Folder names carry dashes, so they are not packages: each file is loaded by its path under a
    module name made from the folder's id.
    """
    path = folder / filename
    name = f"odl_dataset_{folder.name.replace('-', '_')}_{path.stem}"
    module = sys.modules.get(name)
    if module is not None and getattr(module, "__file__", None) == str(path):
        return module
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise ContractError(
            path, "no such file in the dataset folder", "データセットのフォルダにこのファイルがありません"
        )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses defined in the file look their module up while it runs
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]  # a file that failed is imported again next time, not served half-run
        raise
    return module


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as problem:
        raise ContractError(path, f"not readable YAML ({problem})", f"YAMLとして読めません（{problem}）") from None
    if not isinstance(raw, dict):
        raise ContractError(path, "not a mapping of fields", "「項目: 値」の形になっていません")
    return raw


# What each field of a contract holds; a YAML slip (`key: ID`, `file_patterns: "*AED*"`) is refused
# here rather than read as something else.
SOURCE_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "title": (str,),
    "department": (str,),
    "file_patterns": (list, str),
    "key": (list, str),
    "columns": (list, dict),
    "checks": (list, dict),
    "layout": (str,),
}
PUBLISHED_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "title": (str,),
    "title_en": (str,),
    "department": (str,),
    "description": (str,),
    "tags": (list, str),
    "update_frequency": (str,),
    "inputs": (list, str),
    "transform": (str,),
    "params": (dict,),
    "key": (list, str),
    "columns_from_source": (str, bool),
    "columns": (list, dict),
    "standard_dataset": (str,),
}
SHAPE_NAMES = {str: "文字列", bool: "true/false", dict: "「項目: 値」", list: "リスト [..]"}


def _check_fields(raw: dict[str, Any], fields: dict[str, tuple[type, ...]], path: Path) -> None:
    """Every field known and of its shape: (list, str) is a list of strings, (str, bool) either one."""
    for name, value in raw.items():
        if name not in fields:
            raise ContractError(
                path, f"unknown field {name!r} (known: {', '.join(fields)})", f"項目「{name}」は使えません", str(name)
            )
        shape = fields[name]
        if shape[0] is list:
            fits = isinstance(value, list) and all(isinstance(item, shape[1]) for item in value)
            expected_en, expected_ja = f"a list of {shape[1].__name__}", f"{SHAPE_NAMES[shape[1]]}のリスト [..]"
        else:
            fits = value is None or isinstance(value, shape)
            expected_en = " or ".join(kind.__name__ for kind in shape)
            expected_ja = "または".join(SHAPE_NAMES[kind] for kind in shape)
        if not fits:
            raise ContractError(
                path, f"field {name!r} must be {expected_en}", f"項目「{name}」は{expected_ja}で書きます", name
            )


def _required(raw: dict[str, Any], field_name: str, path: Path) -> Any:
    if raw.get(field_name) in (None, "", [], {}):
        raise ContractError(path, f"field {field_name!r} is missing", f"項目「{field_name}」がありません", field_name)
    return raw[field_name]


def _column(raw: dict[str, Any], where: Path) -> Column:
    if not isinstance(raw, dict) or "name" not in raw:
        raise ContractError(where, f"column {raw!r} has no name", f"列 {raw!r} に name がありません", "columns")
    if raw.get("type") not in COLUMN_TYPES:
        raise ContractError(
            where,
            f"column {raw.get('name')!r} has unknown type {raw.get('type')!r}",
            f"列「{raw.get('name')}」の型 {raw.get('type')!r} は使えません（{', '.join(sorted(COLUMN_TYPES))}）",
            "columns",
        )
    if raw["type"] == "choice" and not raw.get("choices"):
        raise ContractError(
            where,
            f"choice column {raw['name']!r} lists no choices",
            f"列「{raw['name']}」に choices がありません",
            "columns",
        )
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


def _check_identity(raw: dict[str, Any], path: Path) -> None:
    if _required(raw, "id", path) != path.parent.name:
        raise ContractError(
            path,
            f"id {raw['id']!r} differs from the folder name {path.parent.name!r}",
            f"id「{raw['id']}」がフォルダ名「{path.parent.name}」と違います",
            "id",
        )


def _check_columns(columns: tuple[Column, ...], key: list[str], path: Path) -> None:
    names = [column.name for column in columns]
    if len(set(names)) != len(names):
        raise ContractError(path, "duplicate column names", "同じ名前の列が2つあります", "columns")
    if not set(key) <= set(names):
        raise ContractError(path, f"key {key} names unknown columns", f"key {key} に契約にない列があります", "key")


def _code_file(raw: dict[str, Any], field_name: str, path: Path) -> str | None:
    """A field naming one of the folder's Python files (layout: layout.py) must name one that exists."""
    value = raw.get(field_name)
    if isinstance(value, str) and value.endswith(".py") and not (path.parent / value).is_file():
        raise ContractError(
            path,
            f"{field_name} names {value}, not in the folder",
            f"{field_name} の {value} がフォルダにありません",
            field_name,
        )
    return value


def _source_contract(path: Path) -> SourceContract:
    raw = _read_yaml(path)
    _check_fields(raw, SOURCE_FIELDS, path)
    _check_identity(raw, path)
    columns = tuple(_column(column, path) for column in _required(raw, "columns", path))
    names = [column.name for column in columns]
    key = list(_required(raw, "key", path))
    checks = tuple(raw.get("checks", ()))
    for check in checks:
        if check.get("check") not in TABLE_CHECKS:
            raise ContractError(
                path, f"unknown check {check.get('check')!r}", f"check {check.get('check')!r} は使えません", "checks"
            )
        unknown = {value for name, value in check.items() if name != "check"} - set(names)
        if unknown:
            raise ContractError(
                path,
                f"check {check['check']} names unknown columns {sorted(unknown)}",
                f"check {check['check']} に契約にない列 {sorted(unknown)} があります",
                "checks",
            )
    _check_columns(columns, key, path)
    return SourceContract(
        id=raw["id"],
        title=_required(raw, "title", path),
        department=_required(raw, "department", path),
        file_patterns=tuple(_required(raw, "file_patterns", path)),
        key=tuple(key),
        columns=columns,
        checks=checks,
        layout=_code_file(raw, "layout", path),
        path=path,
    )


def _published_contract(path: Path, sources: dict[str, SourceContract]) -> PublishedContract:
    raw = _read_yaml(path)
    _check_fields(raw, PUBLISHED_FIELDS, path)
    _check_identity(raw, path)
    # A folder holding both contracts is built from its own source unless it names other inputs;
    # `columns_from_source: true` inherits that source's columns. So a copied folder needs no edit here.
    own_source = raw["id"] if (path.parent / SOURCE_FILE).is_file() else None
    if own_source and not raw.get("inputs"):
        raw["inputs"] = [own_source]
    if raw.get("columns_from_source") is True:
        raw["columns_from_source"] = own_source
    inherited: tuple[Column, ...] = ()
    if "columns_from_source" in raw:
        if raw["columns_from_source"] not in sources:
            raise ContractError(
                path,
                f"columns_from_source names unknown dataset {raw['columns_from_source']!r}",
                f"columns_from_source のデータセット「{raw['columns_from_source']}」が見つかりません",
                "columns_from_source",
            )
        inherited = sources[raw["columns_from_source"]].columns
    columns = inherited + tuple(_column(column, path) for column in raw.get("columns", ()))
    key = list(_required(raw, "key", path))
    _check_columns(columns, key, path)
    unknown_inputs = set(_required(raw, "inputs", path)) - set(sources)
    if unknown_inputs:
        raise ContractError(
            path,
            f"inputs name unknown source datasets {sorted(unknown_inputs)}",
            f"inputs のデータセット {sorted(unknown_inputs)} が見つかりません（source.yaml のあるフォルダ名を書きます）",
            "inputs",
        )
    return PublishedContract(
        id=raw["id"],
        title=_required(raw, "title", path),
        title_en=_required(raw, "title_en", path),
        department=_required(raw, "department", path),
        description=_required(raw, "description", path).strip(),
        tags=tuple(raw.get("tags", ())),
        update_frequency=_required(raw, "update_frequency", path),
        inputs=tuple(raw["inputs"]),
        transform=_code_file(raw, "transform", path) or _required(raw, "transform", path),
        key=tuple(key),
        columns=columns,
        params=dict(raw.get("params") or {}),
        standard_dataset=raw.get("standard_dataset"),
        path=path,
    )


@dataclass(frozen=True)
class Catalog:
    """What the dataset folders hold: the contracts that load, and each broken folder's first problem."""

    departments: dict[str, Department]
    sources: dict[str, SourceContract]
    published: dict[str, PublishedContract]
    broken: dict[str, ContractError]  # folder name → what is wrong
    folders: tuple[Path, ...]


def _check_department(contract: SourceContract | PublishedContract, departments: dict[str, Department]) -> None:
    if contract.department not in departments:
        raise ContractError(
            contract.path,
            f"unknown department {contract.department!r}",
            f"部局「{contract.department}」は catalog/departments.yaml にありません",
            "department",
        )


def _as_contract_error(problem: Exception, path: Path) -> ContractError:
    if isinstance(problem, ContractError):
        return problem
    log.exception("unexpected problem reading %s", path)
    kind = type(problem).__name__
    return ContractError(path, f"cannot be read ({kind}: {problem})", f"読み取れません（{kind}: {problem}）")


def discover(catalog_dir: Path | None = None) -> Catalog:
    """Every dataset folder's contracts; a broken folder is set aside with its problem, never raised."""
    departments = load_departments(catalog_dir)
    folders = dataset_folders(catalog_dir)
    sources: dict[str, SourceContract] = {}
    published: dict[str, PublishedContract] = {}
    broken: dict[str, ContractError] = {}
    for folder in folders:
        if not (folder / SOURCE_FILE).is_file() and not (folder / PUBLISHED_FILE).is_file():
            broken[folder.name] = ContractError(
                folder, "holds neither source.yaml nor published.yaml", "source.yaml も published.yaml もありません"
            )
        elif (folder / SOURCE_FILE).is_file():
            try:
                contract = _source_contract(folder / SOURCE_FILE)
                _check_department(contract, departments)
                sources[contract.id] = contract
            except Exception as problem:  # whatever a folder holds, the other folders go on
                broken[folder.name] = _as_contract_error(problem, folder / SOURCE_FILE)
    for folder in folders:
        if (folder / PUBLISHED_FILE).is_file() and folder.name not in broken:
            try:
                built = _published_contract(folder / PUBLISHED_FILE, sources)
                _check_department(built, departments)
                published[built.id] = built
            except Exception as problem:
                broken[folder.name] = _as_contract_error(problem, folder / PUBLISHED_FILE)
                sources.pop(folder.name, None)
    for output in list(published.values()):  # built from a folder found broken after it was read
        missing = [name for name in output.inputs if name not in sources]
        if missing:
            del published[output.id]
            broken[output.id] = ContractError(
                output.path, f"inputs {missing} are broken", f"inputs の {missing} のフォルダに問題があります", "inputs"
            )
    for name, error in broken.items():
        log.warning("dataset folder %s left out: %s / %s", name, error, error.ja)
    return Catalog(departments, sources, published, broken, tuple(folders))


def load_source_contracts(catalog_dir: Path | None = None) -> dict[str, SourceContract]:
    return discover(catalog_dir).sources


def load_published_contracts(catalog_dir: Path | None = None) -> dict[str, PublishedContract]:
    return discover(catalog_dir).published


def load_departments(catalog_dir: Path | None = None) -> dict[str, Department]:
    path = (catalog_dir or settings.catalog_dir()) / "departments.yaml"
    return {raw["id"]: Department(**raw) for raw in yaml.safe_load(path.read_text(encoding="utf-8"))}


def department_by_name_or_id(text: str, catalog_dir: Path | None = None) -> Department:
    """Departments are named by id (tourism) or Japanese name (観光部) on the command line."""
    for department in load_departments(catalog_dir).values():
        if text in (department.id, department.name):
            return department
    raise KeyError(text)
