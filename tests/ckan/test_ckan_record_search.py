"""odl_record_search and its page /odl/search: rows of every public odl table, grouped by dataset.

Over HTTP against the running stack as an anonymous citizen, as the sysadmin and as an editor of
another organization. Each run makes its own organizations, datasets and tables, whose rows carry
a marker unique to the run, so the library's own datasets never get in the way.
"""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from ckanapi import NotFound, RemoteCKAN, ValidationError

from tests.ckan.odl_tables import create_table, purge_dataset

pytestmark = pytest.mark.integration

FIELDS = [
    {"id": "名称", "type": "text", "info": {"label": "Name", "notes": "施設の名称"}},
    {"id": "所在地", "type": "text"},
    {"id": "定員", "type": "int"},
]


@pytest.fixture(scope="module")
def library(sysadmin: RemoteCKAN, ckan_stack: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Two organizations; public odl tables in both, a private one in the first, a public non-odl table.

    Rows carry the run as a marker; the 60 rows of `many` carry the run reversed instead (for paging)."""
    run = uuid.uuid4().hex[:8]
    write_url = ckan_stack["datastore_write_url"]
    bousai = sysadmin.action.organization_create(name=f"odl-test-rs-bousai-{run}", title=f"防災対策部テスト{run}")
    kanko = sysadmin.action.organization_create(name=f"odl-test-rs-kanko-{run}", title=f"観光部テスト{run}")
    specs: dict[str, tuple[str, dict[str, Any], bool, bool, list[str], str]] = {
        "hinan": ("避難所一覧", bousai, False, True, ["鳥羽市立小学校", "鳥羽市民体育館", "津市立小学校"], run),
        "kanko": ("観光施設一覧", kanko, False, True, ["鳥羽水族館", "伊勢神宮"], run),
        "secret": ("非公開の備蓄倉庫一覧", bousai, True, True, [f"鳥羽市秘密倉庫{n}" for n in range(6)], run),
        "stock": ("CKANのままの表", kanko, False, False, ["鳥羽港", "鳥羽駅", "鳥羽城跡", "鳥羽公園"], run),
        "many": ("避難路一覧", bousai, False, True, [f"避難路{n:02}-" for n in range(60)], run[::-1]),
    }
    datasets, resources = {}, {}
    for key, (title, organization, private, odl, names, marker) in specs.items():
        datasets[key] = sysadmin.action.package_create(
            name=f"odl-test-rs-{key}-{run}", title=f"{title}{run}", owner_org=organization["id"], private=private
        )
        records = [
            {"名称": f"{name}{marker}", "所在地": "三重県", "定員": 10 * (i + 1)} for i, name in enumerate(names)
        ]
        records.append({"名称": "関係のない行", "所在地": "三重県", "定員": 1})
        resources[key] = create_table(sysadmin, write_url, datasets[key]["id"], FIELDS, records, odl=odl)

    yield {
        "run": run,
        "bousai": bousai,
        "kanko": kanko,
        "datasets": datasets,
        "resources": resources,
        "url": ckan_stack["url"],
    }
    for dataset in datasets.values():
        purge_dataset(sysadmin, dataset["id"])
    for organization in (bousai, kanko):
        sysadmin.action.organization_purge(id=organization["id"])


def names(result: dict[str, Any]) -> list[str]:
    return [dataset["name"] for dataset in result["datasets"]]


def test_rows_are_grouped_by_dataset_most_matches_first(anonymous: RemoteCKAN, library: dict[str, Any]) -> None:
    run, datasets, resources = library["run"], library["datasets"], library["resources"]
    result = anonymous.action.odl_record_search(q=run)
    assert names(result) == [datasets["hinan"]["name"], datasets["kanko"]["name"]]
    assert result["count"] == 5 and result["count_was_estimated"] is False
    hinan, kanko = result["datasets"]
    assert hinan["count_was_estimated"] is False
    assert hinan["title"] == datasets["hinan"]["title"]
    assert hinan["organization"] == library["bousai"]["name"]
    assert kanko["organization"] == library["kanko"]["name"]
    assert hinan["resource_id"] == resources["hinan"]
    assert (hinan["count"], kanko["count"]) == (3, 2)
    assert [field["id"] for field in hinan["fields"]] == ["_id", "名称", "所在地", "定員"]
    assert hinan["fields"][1]["info"] == {"label": "Name", "notes": "施設の名称"}
    # The marker earlier in the row first (a shorter name before it), then in table order.
    assert [record["名称"] for record in hinan["records"]] == [
        f"津市立小学校{run}",
        f"鳥羽市立小学校{run}",
        f"鳥羽市民体育館{run}",
    ]
    for dataset in result["datasets"]:
        assert all(list(record) == [field["id"] for field in dataset["fields"]] for record in dataset["records"])


def test_words_widths_ranking_and_limit(anonymous: RemoteCKAN, library: dict[str, Any]) -> None:
    run, datasets = library["run"], library["datasets"]
    # Every word must be in the row; full-width ＩＤ characters are the same as ASCII.
    wide_run = run.upper().translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})
    result = anonymous.action.odl_record_search(q=f"鳥羽　{wide_run}")
    assert [(dataset["name"], dataset["count"]) for dataset in result["datasets"]] == [
        (datasets["hinan"]["name"], 2),
        (datasets["kanko"]["name"], 1),
    ]
    assert result["count"] == 3
    limited = anonymous.action.odl_record_search(q=f"小学校 {run}", limit=1)
    assert limited["datasets"][0]["count"] == 2 and [r["名称"] for r in limited["datasets"][0]["records"]] == [
        f"津市立小学校{run}"  # 小学校 earlier in the cell ranks first
    ]
    counted = anonymous.action.odl_record_search(q=run, limit=0)
    assert counted["count"] == 5 and all(dataset["records"] == [] for dataset in counted["datasets"])
    nothing = anonymous.action.odl_record_search(q=f"伊勢 {run} 小学校")
    assert nothing == {"count": 0, "count_was_estimated": False, "datasets": []}


def test_a_count_past_the_threshold_is_estimated_and_says_so(
    sysadmin: RemoteCKAN, anonymous: RemoteCKAN, library: dict[str, Any], ckan_stack: dict[str, str]
) -> None:
    """1,001 matching rows: past ckanext-odl's threshold (1,000), so the count is flagged as an estimate;
    the rows are the best of the first window (row 3 holds the word as a whole cell)."""
    marker = f"大量{library['run']}"
    records = [
        {"名称": marker if n == 3 else f"{n:05}{marker}", "所在地": "三重県", "定員": n} for n in range(1, 1_002)
    ]
    resource_id = create_table(
        sysadmin, ckan_stack["datastore_write_url"], library["datasets"]["hinan"]["id"], FIELDS, records, name="大量"
    )
    try:
        result = anonymous.action.odl_record_search(q=marker, limit=3)
        (found,) = result["datasets"]
        assert found["resource_id"] == resource_id
        assert found["count_was_estimated"] is True and result["count_was_estimated"] is True
        assert found["count"] == 1_001 and result["count"] == found["count"]  # a small table is counted
        assert [record["定員"] for record in found["records"]] == [3, 1, 2]
        page = requests.get(f"{library['url']}/odl/search", params={"q": marker}, timeout=30).text
        assert "約 1,001 行が該当" in page and "合わせて約 1,001 行あります" in page
    finally:
        sysadmin.action.datastore_delete(resource_id=resource_id, force=True)
        sysadmin.action.resource_delete(id=resource_id)


def test_organization_narrows_the_search(anonymous: RemoteCKAN, library: dict[str, Any]) -> None:
    run = library["run"]
    by_name = anonymous.action.odl_record_search(q=run, organization=library["kanko"]["name"])
    by_id = anonymous.action.odl_record_search(q=run, organization=library["kanko"]["id"])
    assert names(by_name) == names(by_id) == [library["datasets"]["kanko"]["name"]]
    with pytest.raises(NotFound):
        anonymous.action.odl_record_search(q=run, organization=f"no-such-organization-{run}")


def test_tables_not_loaded_by_odl_are_not_searched(anonymous: RemoteCKAN, library: dict[str, Any]) -> None:
    result = anonymous.action.odl_record_search(q=f"鳥羽 {library['run']}")
    assert library["datasets"]["stock"]["name"] not in names(result)


@pytest.mark.parametrize("caller", ["anonymous", "sysadmin", "editor of another organization"])
def test_private_rows_never_appear(
    caller: str, anonymous: RemoteCKAN, sysadmin: RemoteCKAN, other_org_editor: RemoteCKAN, library: dict[str, Any]
) -> None:
    clients = {"anonymous": anonymous, "sysadmin": sysadmin, "editor of another organization": other_org_editor}
    client = clients[caller]
    secret = library["datasets"]["secret"]
    for q in (library["run"], "秘密倉庫", f"鳥羽市秘密倉庫0{library['run']}"):
        result = client.action.odl_record_search(q=q, limit=100)
        assert secret["name"] not in names(result)
        assert not any("秘密" in str(record) for dataset in result["datasets"] for record in dataset["records"])
    page = requests.get(f"{library['url']}/odl/search", params={"q": library["run"]}, timeout=30)
    assert "秘密倉庫" not in page.text and secret["title"] not in page.text


def test_a_dataset_made_public_is_searched(
    sysadmin: RemoteCKAN, anonymous: RemoteCKAN, library: dict[str, Any]
) -> None:
    secret = library["datasets"]["secret"]
    sysadmin.action.package_patch(id=secret["id"], private=False)
    try:
        result = anonymous.action.odl_record_search(q=library["run"])
        assert names(result)[0] == secret["name"] and result["datasets"][0]["count"] == 6
    finally:
        sysadmin.action.package_patch(id=secret["id"], private=True)
    assert secret["name"] not in names(anonymous.action.odl_record_search(q=library["run"]))


@pytest.mark.parametrize(
    "params", [{}, {"q": ""}, {"q": " 　"}, {"q": "鳥羽", "limit": 1000}, {"q": "鳥羽", "limit": "many"}]
)
def test_bad_parameters_are_refused(anonymous: RemoteCKAN, params: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        anonymous.action.odl_record_search(**params)


def test_page_shows_rows_grouped_and_linked_to_their_dataset(library: dict[str, Any]) -> None:
    run, datasets = library["run"], library["datasets"]
    page = requests.get(f"{library['url']}/odl/search", params={"q": f"鳥羽 {run}"}, timeout=30)
    assert page.status_code == 200
    html = page.text
    for key in ("hinan", "kanko"):
        assert f'href="/dataset/{datasets[key]["name"]}"' in html
        assert datasets[key]["title"] in html
    assert html.index(datasets["hinan"]["title"]) < html.index(datasets["kanko"]["title"])
    text = re.sub(r"<[^>]+>", "", html)
    for name in (f"鳥羽市立小学校{run}", f"鳥羽市民体育館{run}", f"鳥羽水族館{run}"):
        assert name in text
    assert f"伊勢神宮{run}" not in text and datasets["stock"]["title"] not in text
    assert "合わせて 3 行" in text
    assert html.count("<mark>鳥羽</mark>") == 3 and html.count(f"<mark>{run}</mark>") == 3  # the words, marked


def test_page_escapes_the_query_and_says_when_nothing_is_found(library: dict[str, Any]) -> None:
    page = requests.get(f"{library['url']}/odl/search", params={"q": "<script>alert(1)</script>"}, timeout=30)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "見つかりませんでした" in page.text
    empty = requests.get(f"{library['url']}/odl/search", timeout=30)
    assert empty.status_code == 200 and 'name="q"' in empty.text


def test_header_search_links_to_the_page(library: dict[str, Any]) -> None:
    for path in ("/", "/dataset/"):
        html = requests.get(f"{library['url']}{path}", timeout=30).text
        assert 'formaction="/odl/search"' in html and "データの中を検索" in html


def test_page_pages_through_one_datasets_rows(library: dict[str, Any]) -> None:
    run, datasets, resources = library["run"], library["datasets"], library["resources"]
    url = f"{library['url']}/odl/search"
    reversed_run = run[::-1]
    overview = requests.get(url, params={"q": reversed_run}, timeout=30).text
    assert overview.count('class="odl-record ') == 5
    more = re.search(r'class="odl-more" href="([^"]+)"', overview)
    assert more and "resource_id=" + resources["many"] in more.group(1).replace("&amp;", "&")
    first = requests.get(url, params={"q": reversed_run, "resource_id": resources["many"]}, timeout=30).text
    second = requests.get(url, params={"q": reversed_run, "resource_id": resources["many"], "page": 2}, timeout=30).text
    assert first.count('class="odl-record ') == 50 and second.count('class="odl-record ') == 10
    assert "60 行あります（1〜50 行目）" in first and "60 行あります（51〜60 行目）" in second
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second
    shown = re.sub(r"<[^>]+>", "", first + second)
    assert all(f"避難路{n:02}-{reversed_run}" in shown for n in range(60))
    assert f'href="/dataset/{datasets["many"]["name"]}"' in first


def test_page_of_a_private_table_shows_nothing_to_outsiders(library: dict[str, Any]) -> None:
    page = requests.get(
        f"{library['url']}/odl/search",
        params={"q": "秘密倉庫", "resource_id": library["resources"]["secret"]},
        timeout=30,
    )
    assert page.status_code == 200
    assert "見る権限がありません" in page.text and "鳥羽市秘密倉庫" not in page.text
    assert library["datasets"]["secret"]["title"] not in page.text


def test_page_narrows_to_an_organization(library: dict[str, Any]) -> None:
    kanko = library["kanko"]
    page = requests.get(
        f"{library['url']}/odl/search", params={"q": library["run"], "organization": kanko["name"]}, timeout=30
    ).text
    assert f'<option value="{kanko["name"]}" selected>{kanko["title"]}</option>' in page
    assert library["datasets"]["kanko"]["title"] in page and library["datasets"]["hinan"]["title"] not in page
