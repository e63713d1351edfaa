"""CKAN metadata from the contract and the data: tags, license and 出典, coverage, data dictionary."""

import pyarrow as pa

from tests.transforms.publish.curated import evacuation_sites, visitors_by_region
from transforms.contracts import load_departments, load_published_contracts
from transforms.publish import metadata
from transforms.publish.tables import typed_table
from transforms.reference import load_municipalities

CONTRACTS = load_published_contracts()
DEPARTMENTS = load_departments()
CODES = set(load_municipalities().codes)


def test_standard_datasets_carry_the_convention_tag_and_their_kind() -> None:
    assert metadata.tags(CONTRACTS["evacuation-sites"]) == [
        "防災",
        "避難場所",
        "災害",
        "自治体標準ODS",
        "指定緊急避難場所一覧",
    ]
    assert "自治体標準ODS" not in metadata.tags(CONTRACTS["tourist-visitors-monthly"])


def test_attribution_names_the_prefecture_department_and_title() -> None:
    contract = CONTRACTS["csf-wild-boar-monthly"]
    assert (
        metadata.attribution(contract, DEPARTMENTS["agriculture"])
        == "出典：三重県農林水産部「豚熱 野生いのしし 検査結果（市町別・月別）」"
    )


def test_temporal_coverage_spans_year_months_to_the_month_end() -> None:
    contract = CONTRACTS["tourist-visitors-by-region"]
    typed = typed_table(pa.Table.from_pandas(visitors_by_region(2), preserve_index=False), contract)
    cover = metadata.coverage(typed, contract, CODES)
    assert (cover.temporal_start, cover.temporal_end, cover.municipality_codes) == ("2024-01-01", "2024-02-29", ())


def test_spatial_coverage_lists_the_municipality_codes_present() -> None:
    contract = CONTRACTS["evacuation-sites"]
    typed = typed_table(pa.Table.from_pandas(evacuation_sites(4), preserve_index=False), contract)
    cover = metadata.coverage(typed, contract, CODES)
    assert cover.municipality_codes == ("242012", "242021", "242039")
    assert cover.temporal_start is None


def test_datastore_fields_keep_japanese_ids_and_fill_the_data_dictionary() -> None:
    fields = metadata.datastore_fields(CONTRACTS["csf-wild-boar-monthly"])
    assert fields[0] == {
        "id": "年月",
        "type": "text",
        "info": {"label": "Year-month", "notes": "捕獲した年月（YYYY-MM）", "type_override": "text"},
    }
    assert [f["type"] for f in fields][-3:] == ["int8", "int8", "numeric"]


def test_dataset_metadata_has_license_version_contact_and_english_title() -> None:
    contract, department = CONTRACTS["evacuation-sites"], DEPARTMENTS["disaster-prevention"]
    typed = typed_table(pa.Table.from_pandas(evacuation_sites(2), preserve_index=False), contract)
    extras = metadata.extras(
        contract, department, metadata.coverage(typed, contract, CODES), rows=2, published_at="t", changelog_json="[]"
    )
    dataset = metadata.dataset(
        contract,
        department,
        name="evacuation-sites",
        owner_org="org",
        version="v1",
        notes_text="n",
        extra_values=extras,
    )
    assert dataset["license_id"] == "cc-by-4.0"
    assert dataset["version"] == "v1"
    assert dataset["maintainer"] == department.contact
    shown = {e["key"]: e["value"] for e in dataset["extras"]}
    assert shown["title_en"] == contract.title_en
    assert shown["attribution"] == "出典：三重県防災対策部「指定緊急避難場所一覧」"
    assert shown["spatial_coverage"] == "三重県（240001）"
    assert shown["update_frequency"] == "随時"
    assert "PDL1.0" in shown["license_compatibility"]
    assert metadata.comparable(dataset) == metadata.comparable({**dataset, "extras": list(reversed(dataset["extras"]))})
