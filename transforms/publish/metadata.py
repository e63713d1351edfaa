"""CKAN metadata for a published dataset: organization, dataset fields and extras, DataStore fields.

Everything comes from the contract (catalog/datasets/<id>/published.yaml), its department
(catalog/departments.yaml) and the data itself (temporal and spatial coverage).
"""

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms.column_types import column_type
from transforms.contracts import Department, PublishedContract
from transforms.publish.tables import datastore_type

LICENSE_ID = "cc-by-4.0"
LICENSE_NOTE = (
    "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）。"
    "公共データ利用規約（第1.0版）（PDL1.0）と互換で、出典を示せば誰でも複製・加工・再配布できます。"
)
STANDARD_DATASET_TAG = "自治体標準ODS"
PREFECTURE = "三重県"
PREFECTURE_CODE = "240001"  # 全国地方公共団体コード of 三重県, with check digit

# Which resource is which: kept in each resource's `odl_role` so ids stay stable across versions.
ROLE_DATASTORE, ROLE_CSV, ROLE_PARQUET = "datastore", "csv", "parquet"


@dataclass(frozen=True)
class Coverage:
    temporal_start: str | None
    temporal_end: str | None
    municipality_codes: tuple[str, ...]


def attribution(contract: PublishedContract, department: Department) -> str:
    return f"出典：{PREFECTURE}{department.name}「{contract.title}」"


def coverage(typed: pa.Table, contract: PublishedContract, municipality_codes: set[str]) -> Coverage:
    """Temporal coverage from the date and year-month columns; 市町 codes from the lg_code columns."""
    starts, ends = [], []
    for column in contract.columns:
        values = typed.column(column.name)
        if values.null_count == len(values):
            continue
        bounds = pc.min_max(values)
        period = column_type(column).period
        if period:
            start, end = period(bounds["min"].as_py(), bounds["max"].as_py())
            starts.append(start)
            ends.append(end)
    codes: set[str] = set()
    for column in contract.columns:
        if column_type(column).place_code:
            codes |= {code for code in pc.unique(typed.column(column.name)).to_pylist() if code in municipality_codes}
    return Coverage(min(starts) if starts else None, max(ends) if ends else None, tuple(sorted(codes)))


def organization(department: Department, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "title": department.name,
        "description": department.description,
        "extras": [
            {"key": "title_en", "value": department.name_en},
            {"key": "contact_point", "value": department.contact},
        ],
    }


def datastore_fields(contract: PublishedContract) -> list[dict[str, Any]]:
    """Contract columns as DataStore fields: Japanese ids as written, the data dictionary in `info`."""
    return [
        {
            "id": column.name,
            "type": datastore_type(column),
            "info": {"label": column.label_en, "notes": column.description, "type_override": datastore_type(column)},
        }
        for column in contract.columns
    ]


def tags(contract: PublishedContract) -> list[str]:
    names = list(contract.tags)
    if contract.standard_dataset:
        names += [STANDARD_DATASET_TAG, contract.standard_dataset]
    return list(dict.fromkeys(names))


def notes(contract: PublishedContract, department: Department, changelog_markdown: str) -> str:
    parts = [
        contract.description,
        f"**利用条件**：{LICENSE_NOTE}\n\n**出典の記載例**：{attribution(contract, department)}",
        f"**API**：「{contract.title}（DataStore）」のリソースから、日本語の列名のまま "
        "`datastore_search` / `datastore_search_sql` で検索できます。各列の説明はデータ辞書にあります。",
    ]
    if changelog_markdown:
        parts.append(changelog_markdown)
    return "\n\n".join(parts)


def extras(
    contract: PublishedContract,
    department: Department,
    cover: Coverage,
    *,
    rows: int,
    published_at: str,
    changelog_json: str,
) -> dict[str, str]:
    values = {
        "title_en": contract.title_en,
        "attribution": attribution(contract, department),
        "license_compatibility": "公共データ利用規約（第1.0版）（PDL1.0）互換",
        "spatial_coverage": f"{PREFECTURE}（{PREFECTURE_CODE}）",
        "spatial_municipality_codes": " ".join(cover.municipality_codes),
        "temporal_coverage_start": cover.temporal_start or "",
        "temporal_coverage_end": cover.temporal_end or "",
        "update_frequency": contract.update_frequency,
        "contact_point": department.contact,
        "standard_dataset": contract.standard_dataset or "",
        "rows": str(rows),
        "published_at": published_at,
        "odl_changelog": changelog_json,
    }
    return {key: value for key, value in values.items() if value}


def dataset(
    contract: PublishedContract,
    department: Department,
    *,
    name: str,
    owner_org: str,
    version: str,
    notes_text: str,
    extra_values: dict[str, str],
) -> dict[str, Any]:
    """The dataset fields odl manages (resources are handled one by one, by role)."""
    return {
        "name": name,
        "title": contract.title,
        "notes": notes_text,
        "owner_org": owner_org,
        "license_id": LICENSE_ID,
        "author": f"{PREFECTURE} {department.name}",
        "maintainer": department.contact,
        "version": version,
        "tags": [{"name": tag} for tag in tags(contract)],
        "extras": [{"key": key, "value": value} for key, value in sorted(extra_values.items())],
    }


def resource_specs(contract: PublishedContract) -> dict[str, dict[str, str]]:
    """Name, format and description of each resource, by role."""
    return {
        ROLE_DATASTORE: {
            "name": f"{contract.title}（DataStore）",
            "format": "DataStore",
            "description": "APIで検索できる表（datastore_search / datastore_search_sql）。列名は日本語、データ辞書付き。",
        },
        ROLE_CSV: {
            "name": f"{contract.title}（CSV）",
            "format": "CSV",
            "description": "UTF-8（BOM付き）のCSV。Excelでそのまま開けます。",
        },
        ROLE_PARQUET: {
            "name": f"{contract.title}（Parquet）",
            "format": "Parquet",
            "description": "列の型付きのParquetファイル（分析ツール向け）。",
        },
    }


def comparable(package: dict[str, Any]) -> dict[str, Any]:
    """The part of a package_show result odl manages, normalised so equal means unchanged."""
    return {
        "name": package.get("name"),
        "title": package.get("title"),
        "notes": (package.get("notes") or "").strip(),
        "owner_org": package.get("owner_org"),
        "license_id": package.get("license_id"),
        "author": package.get("author"),
        "maintainer": package.get("maintainer"),
        "version": package.get("version"),
        "tags": sorted(tag["name"] for tag in package.get("tags", [])),
        "extras": {extra["key"]: extra["value"] for extra in package.get("extras", [])},
    }
