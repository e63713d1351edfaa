"""package_search, package_autocomplete and organization counts served from PostgreSQL (odl_search, no Solr)."""

from typing import Any

import pytest
from ckanapi import RemoteCKAN, SearchQueryError

pytestmark = pytest.mark.integration


def names(result: dict[str, Any]) -> list[str]:
    return [dataset["name"] for dataset in result["results"]]


def in_org(catalog: dict[str, Any], *clauses: str) -> str:
    return " ".join([f'organization:"{catalog["organization"]["name"]}"', *clauses])


def test_japanese_substring_finds_the_dataset_and_not_the_other(anonymous: RemoteCKAN, catalog: dict[str, Any]) -> None:
    hinan, tsu = catalog["datasets"]["hinan"]["name"], catalog["datasets"]["tsu"]["name"]
    for q, found, not_found in [("避難", hinan, tsu), ("津市", tsu, hinan), ("案内所", tsu, hinan)]:
        result = anonymous.action.package_search(q=q, fq=in_org(catalog))
        assert names(result) == [found], q
        # Without the organization filter too: the whole catalog is searched.
        everywhere = names(anonymous.action.package_search(q=q, rows=1000))
        assert found in everywhere and not_found not in everywhere


def test_free_text_covers_notes_tags_resources_and_organization(anonymous: RemoteCKAN, catalog: dict[str, Any]) -> None:
    run = catalog["run"]
    public = {catalog["datasets"][key]["name"] for key in ("hinan", "tsu")}
    assert set(names(anonymous.action.package_search(q=f"テスト {run}"))) == public  # notes; terms ANDed
    assert set(names(anonymous.action.package_search(q=f"防災対策部テスト{run}"))) == public  # organization title
    assert names(anonymous.action.package_search(q=f"避難所 {run}")) == [catalog["datasets"]["hinan"]["name"]]  # tag
    assert names(anonymous.action.package_search(q=f"一覧 データ {run} -避難")) == [catalog["datasets"]["tsu"]["name"]]
    # Full-width and half-width forms are the same after NFKC.
    assert names(anonymous.action.package_search(q=f"ＸＬＳＸ {run}")) == [catalog["datasets"]["tsu"]["name"]]


@pytest.mark.parametrize(
    "clause, expected",
    [
        ("tags:防災", {"hinan"}),
        ('tags:"観光"', {"tsu"}),
        ("res_format:CSV", {"hinan"}),
        ('res_format:"XLSX"', {"tsu"}),
        ("license_id:cc-by", {"hinan"}),
        ('license_id:"odc-odbl"', {"tsu"}),
        ("-tags:防災", {"tsu"}),
        ("tags:(防災 OR 観光)", {"hinan", "tsu"}),
        ("res_format:CSV tags:観光", set()),
    ],
)
def test_fq_filters(anonymous: RemoteCKAN, catalog: dict[str, Any], clause: str, expected: set[str]) -> None:
    result = anonymous.action.package_search(fq=in_org(catalog, clause))
    assert set(names(result)) == {catalog["datasets"][key]["name"] for key in expected}
    assert result["count"] == len(expected)


def test_fq_on_organization_alone_and_unknown_fields(anonymous: RemoteCKAN, catalog: dict[str, Any]) -> None:
    organization = catalog["organization"]["name"]
    for fq in (f"organization:{organization}", f'+organization:"{organization}"'):
        assert anonymous.action.package_search(fq=fq)["count"] == 2
    with pytest.raises(SearchQueryError):
        anonymous.action.package_search(fq="no_such_field:x")


def test_facets_on_the_four_fields(anonymous: RemoteCKAN, catalog: dict[str, Any]) -> None:
    result = anonymous.action.package_search(
        fq=in_org(catalog), **{"facet.field": ["organization", "tags", "res_format", "license_id"]}
    )
    assert result["facets"] == {
        "organization": {catalog["organization"]["name"]: 2},
        "tags": {"防災": 1, "避難所": 1, "観光": 1},
        "res_format": {"CSV": 1, "XLSX": 1},
        "license_id": {"cc-by": 1, "odc-odbl": 1},
    }
    organization_facet = result["search_facets"]["organization"]["items"]
    assert organization_facet[0]["display_name"] == catalog["organization"]["title"]


def test_sort_and_paging(anonymous: RemoteCKAN, catalog: dict[str, Any]) -> None:
    ordered = names(anonymous.action.package_search(fq=in_org(catalog), sort="title_string asc"))
    assert ordered == [catalog["datasets"]["hinan"]["name"], catalog["datasets"]["tsu"]["name"]]  # 指 < 津
    assert names(anonymous.action.package_search(fq=in_org(catalog), sort="title_string desc")) == ordered[::-1]
    newest_first = names(anonymous.action.package_search(fq=in_org(catalog), sort="metadata_modified desc"))
    assert newest_first == [catalog["datasets"]["tsu"]["name"], catalog["datasets"]["hinan"]["name"]]
    pages = [
        anonymous.action.package_search(fq=in_org(catalog), sort="title_string asc", rows=1, start=start)
        for start in (0, 1, 2)
    ]
    assert [names(page) for page in pages] == [ordered[:1], ordered[1:], []]
    assert {page["count"] for page in pages} == {2}
    # CKAN's default sort (score desc, metadata_modified desc) ranks title matches first.
    assert names(anonymous.action.package_search(q="一覧", fq=in_org(catalog)))[0] == newest_first[0]
    with pytest.raises(SearchQueryError):
        anonymous.action.package_search(sort="no_such_field asc")


def test_fl_returns_only_the_fields_asked_for(anonymous: RemoteCKAN, catalog: dict[str, Any]) -> None:
    result = anonymous.action.package_search(fq=in_org(catalog), fl=["name", "title"], sort="name asc")
    assert result["results"][0].keys() == {"name", "title"}


def test_private_dataset_is_invisible_to_anonymous(
    anonymous: RemoteCKAN, sysadmin: RemoteCKAN, catalog: dict[str, Any]
) -> None:
    secret = catalog["datasets"]["secret"]["name"]
    for fq in (in_org(catalog), in_org(catalog, "capacity:private"), "+state:(active OR draft)"):
        for include_private in (False, True):
            result = anonymous.action.package_search(q="備蓄倉庫", fq=fq, include_private=include_private, rows=1000)
            assert secret not in names(result)
    assert secret not in names(anonymous.action.package_search(q="備蓄倉庫", include_private=True, include_drafts=True))
    assert secret not in {entry["name"] for entry in anonymous.action.package_autocomplete(q="備蓄")}
    assert names(sysadmin.action.package_search(q="備蓄倉庫", fq=in_org(catalog), include_private=True)) == [secret]
    assert names(sysadmin.action.package_search(q="備蓄倉庫", fq=in_org(catalog))) == []


def test_organization_counts(anonymous: RemoteCKAN, sysadmin: RemoteCKAN, catalog: dict[str, Any]) -> None:
    organization = catalog["organization"]["name"]
    assert anonymous.action.organization_show(id=organization)["package_count"] == 2
    assert sysadmin.action.organization_show(id=organization)["package_count"] == 3  # a member sees the private one
    listed = anonymous.action.organization_list(all_fields=True, organizations=[organization])
    assert [entry["package_count"] for entry in listed] == [2]
    # This one counts with one faceted search over all organizations (group_list_dictize), private included.
    mine = sysadmin.action.organization_list_for_user(include_dataset_count=True)
    assert [entry["package_count"] for entry in mine if entry["name"] == organization] == [3]


def test_package_autocomplete_by_substring(anonymous: RemoteCKAN, catalog: dict[str, Any]) -> None:
    hinan, tsu = catalog["datasets"]["hinan"]["name"], catalog["datasets"]["tsu"]["name"]
    found = {entry["name"]: entry for entry in anonymous.action.package_autocomplete(q="緊急避難", limit=100)}
    assert hinan in found and tsu not in found
    assert found[hinan]["match_field"] == "title"
    by_name = {entry["name"] for entry in anonymous.action.package_autocomplete(q=f"tsu-{catalog['run']}")}
    assert by_name == {tsu}


def test_changes_are_searchable_at_once(sysadmin: RemoteCKAN, anonymous: RemoteCKAN, catalog: dict[str, Any]) -> None:
    """No index to refresh: an update or a delete shows in the next search."""
    dataset = sysadmin.action.package_create(
        name=f"odl-test-temp-{catalog['run']}", title="一時的な給水所一覧", owner_org=catalog["organization"]["id"]
    )
    try:
        sysadmin.action.package_patch(id=dataset["id"], title="応急給水拠点一覧")
        assert names(anonymous.action.package_search(q="応急給水", fq=in_org(catalog))) == [dataset["name"]]
        assert names(anonymous.action.package_search(q="一時的な給水所", fq=in_org(catalog))) == []
        sysadmin.action.package_delete(id=dataset["id"])
        assert names(anonymous.action.package_search(q="応急給水", fq=in_org(catalog))) == []
    finally:
        sysadmin.action.dataset_purge(id=dataset["id"])
