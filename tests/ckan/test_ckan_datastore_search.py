"""datastore_search `q` on odl's tables (odl_datastore): Japanese substrings, widths, words, columns, rank.

Every call goes over HTTP to the running stack as an anonymous citizen, on tables built as odl's
loader leaves them (tests/ckan/odl_tables.py) in a public dataset made for this run.
"""

import random
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, ValidationError
from psycopg import sql

from tests.ckan.odl_tables import create_table, normalise, purge_dataset

pytestmark = pytest.mark.integration

# Kana (with half-width forms that NFKC turns into full-width), kanji, full- and half-width Latin
# letters and digits, and LIKE's own characters % _ \ which must be taken literally.
ALPHABETS = [
    "あいうえおかきくけこがぎさしすとばまみむやゆよらりるれろわをん",
    "アイウエオカキクケコガギサシストバマミムヤユヨラリルレロワヲン",
    "ｱｲｳｴｵｶｷｸｹｺｻｼｽﾄﾏﾐﾑﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ",
    "鳥羽市津四日市伊勢松阪桑名小学校中学校公民館避難場所体育館神社",
    "ABCDEFGXYZabcdefgxyzＡＢＣＤＥＦＧａｂｃｄｅｆｇ",
    "0123456789０１２３４５６７８９",
    "%_\\-・ー（）()",
]
TEXT_COLUMNS = ["名称", "所在地", "備考"]
# ckanext-odl's bounds (ckanext/odl/bounded.py): rows are ranked within windows of this many matches
# in table order, and `total` is exact below this many matches unless the caller says otherwise.
RANK_WINDOW, WINDOW_ROWS = 1000, 50000
TOTAL_ESTIMATION_THRESHOLD = 1000


def generated_cell(rng: random.Random) -> str:
    length = rng.randint(1, 12)
    alphabets = rng.sample(ALPHABETS, rng.randint(1, 3))
    return "".join(rng.choice(rng.choice(alphabets)) for _ in range(length))


@pytest.fixture(scope="module")
def write_url(ckan_stack: dict[str, str]) -> str:
    return ckan_stack["datastore_write_url"]


@pytest.fixture(scope="module")
def dataset(sysadmin: RemoteCKAN) -> Iterator[dict[str, Any]]:
    run = uuid.uuid4().hex[:8]
    organization = sysadmin.action.organization_create(name=f"odl-test-ds-{run}", title=f"DataStore検索テスト{run}")
    package = sysadmin.action.package_create(
        name=f"odl-test-ds-search-{run}", title=f"検索テスト{run}", owner_org=organization["id"]
    )
    yield package
    purge_dataset(sysadmin, package["id"])
    sysadmin.action.organization_purge(id=organization["id"])


@pytest.fixture(scope="module")
def generated(sysadmin: RemoteCKAN, write_url: str, dataset: dict[str, Any]) -> dict[str, Any]:
    """400 rows of generated strings in three text columns, an integer and a NULL now and then."""
    rng = random.Random(14)
    records = [
        {
            **{column: (None if rng.random() < 0.05 else generated_cell(rng)) for column in TEXT_COLUMNS},
            "件数": rng.randint(0, 999),
        }
        for _ in range(400)
    ]
    fields = [*({"id": column, "type": "text"} for column in TEXT_COLUMNS), {"id": "件数", "type": "int"}]
    resource_id = create_table(sysadmin, write_url, dataset["id"], fields, records, name="生成した文字列")
    return {"resource_id": resource_id, "records": records}


def like_count(write_url: str, resource_id: str, word: str) -> int:
    """Rows where some text column, NFKC and lower-cased in PostgreSQL, is LIKE '%word%' (the oracle)."""
    pattern = "%" + normalise(word).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = sql.SQL(" OR ").join(
        sql.SQL("lower(normalize({}, NFKC)) LIKE %(pattern)s").format(sql.Identifier(column)) for column in TEXT_COLUMNS
    )
    with psycopg.connect(write_url) as connection:
        row = connection.execute(
            sql.SQL("SELECT count(*) FROM {} WHERE {}").format(sql.Identifier(resource_id), matches),
            {"pattern": pattern},
        ).fetchone()
    assert row is not None
    return int(row[0])


def search(anonymous: RemoteCKAN, resource_id: str, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = anonymous.action.datastore_search(resource_id=resource_id, **params)
    return result


def test_total_equals_like_for_substrings_of_generated_cells(
    anonymous: RemoteCKAN, write_url: str, generated: dict[str, Any]
) -> None:
    rng = random.Random(1414)
    cells = [record[column] for record in generated["records"] for column in TEXT_COLUMNS if record[column]]
    words = set()
    while len(words) < 240:
        cell = rng.choice(cells)
        length = rng.randint(1, 6)
        start = rng.randint(0, max(0, len(cell) - length))
        word = cell[start : start + length]
        if word.strip() and len(normalise(word)) <= 6:
            words.add(word)
    checked = {1: 0, 2: 0, "3-6": 0}
    for word in sorted(words):
        expected = like_count(write_url, generated["resource_id"], word)
        result = search(anonymous, generated["resource_id"], q=word, limit=1)
        assert result["total"] == expected, word
        assert expected > 0  # a substring of a cell is always found
        size = len(normalise(word))
        checked[size if size <= 2 else "3-6"] += 1
    assert all(count >= 20 for count in checked.values()), checked


def test_a_word_across_two_cells_is_not_found(anonymous: RemoteCKAN, generated: dict[str, Any]) -> None:
    record = next(r for r in generated["records"] if r["名称"] and r["所在地"] and len(r["名称"]) > 1)
    across = normalise(record["名称"])[-1] + normalise(record["所在地"])[0]
    assert search(anonymous, generated["resource_id"], q=across + "\\%")["total"] == 0


@pytest.fixture(scope="module")
def places(sysadmin: RemoteCKAN, write_url: str, dataset: dict[str, Any]) -> str:
    fields = [
        {"id": "名称", "type": "text"},
        {"id": "所在地", "type": "text"},
        {"id": "種別", "type": "text"},
        {"id": "定員", "type": "int"},
    ]
    records = [
        {"名称": "鳥羽市立鳥羽小学校", "所在地": "三重県鳥羽市鳥羽", "種別": "指定避難所", "定員": 300},  # 1
        {"名称": "ｶﾅﾘｱ公民館", "所在地": "三重県津市", "種別": "ＡＢＣ避難場所", "定員": 50},  # 2
        {"名称": "第１２体育館", "所在地": "三重県伊勢市", "種別": "指定避難所", "定員": 1200},  # 3
        {"名称": "小学校", "所在地": "三重県松阪市", "種別": "指定緊急避難場所", "定員": 80},  # 4
        {"名称": "松阪市民会館", "所在地": "三重県松阪市", "種別": "小学校", "定員": 80},  # 5
        {"名称": "小学校前広場", "所在地": "三重県四日市市", "種別": "公園", "定員": 500},  # 6
        {"名称": "津市立第一小学校", "所在地": "三重県津市", "種別": "指定避難所", "定員": 400},  # 7
        {"名称": "100%_避難所\\", "所在地": "三重県桑名市", "種別": "その他", "定員": 10},  # 8
    ]
    return create_table(sysadmin, write_url, dataset["id"], fields, records, name="避難所")


def ids(result: dict[str, Any]) -> list[int]:
    return [record["_id"] for record in result["records"]]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("鳥羽", [1]),
        ("鳥羽市", [1]),
        ("カナリア", [2]),  # ｶﾅﾘｱ in the table
        ("ｶﾅﾘｱ", [2]),
        ("abc", [2]),  # ＡＢＣ in the table
        ("ＡＢＣ避難", [2]),
        ("12", [3]),  # １２ in the table
        ("１２体育館", [3]),
        ("小学校", [4, 5, 6, 7, 1]),  # whole cells first (earlier column first), then by position, then _id
        ("学", [4, 6, 7, 1, 5]),
        ("津市 小学校", [7]),  # every word must match
        ("津市　避難", [7, 2]),  # ideographic space separates words too
        ("100%", [8]),
        ("%_", [8]),
        ("_", [8]),
        ("\\", [8]),
        ("鳥羽 伊勢", []),
        ("'; DROP TABLE x; --", []),
    ],
)
def test_q_finds_substrings_in_any_width_ranked(
    anonymous: RemoteCKAN, places: str, q: str, expected: list[int]
) -> None:
    result = search(anonymous, places, q=q)
    assert ids(result) == expected
    assert result["total"] == len(expected) and result["total_was_estimated"] is False


def test_rank_is_exposed_like_ckans_and_falls_in_order(anonymous: RemoteCKAN, places: str) -> None:
    result = search(anonymous, places, q="小学校")
    assert {"id": "rank", "type": "float"} in result["fields"]
    ranks = [record["rank"] for record in result["records"]]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] > ranks[-1]
    assert ranks[0] >= 1 > ranks[2]  # whole-cell matches rank above 1
    assert not any(key.startswith("_odl") for record in result["records"] for key in record)
    assert not any(field["id"].startswith("_odl") for field in result["fields"])
    named = search(anonymous, places, q="小学校", fields=["名称"])
    assert [list(record) for record in named["records"]] == [["名称"]] * 5
    with_rank = search(anonymous, places, q="小学校", fields=["名称", "rank"])
    assert [record["rank"] for record in with_rank["records"]] == ranks


def test_explicit_sort_wins_over_rank(anonymous: RemoteCKAN, places: str) -> None:
    assert ids(search(anonymous, places, q="小学校", sort="定員 desc, _id")) == [6, 7, 1, 4, 5]
    assert ids(search(anonymous, places, q="小学校", sort="_id")) == [1, 4, 5, 6, 7]


def test_filters_limit_offset_and_total(anonymous: RemoteCKAN, places: str) -> None:
    filtered = search(anonymous, places, q="小学校", filters={"所在地": "三重県松阪市"})
    assert ids(filtered) == [4, 5] and filtered["total"] == 2
    pages = [search(anonymous, places, q="避難", limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert [row for page in pages for row in ids(page)] == ids(search(anonymous, places, q="避難"))
    assert {page["total"] for page in pages} == {6}
    assert "total" not in search(anonymous, places, q="避難", include_total=False)
    assert search(anonymous, places, q="避難", limit=0)["records"] == []


@pytest.fixture(scope="module")
def rivers(sysadmin: RemoteCKAN, write_url: str, dataset: dict[str, Any]) -> str:
    """3,000 rows that all contain 川, late in the cell; rows 700 and 1500 are 川 alone (whole cells)."""
    records = [{"名称": "川" if n in (700, 1500) else f"第{n:05}号川", "番号": n} for n in range(1, 3_001)]
    fields = [{"id": "名称", "type": "text"}, {"id": "番号", "type": "int"}]
    return create_table(sysadmin, write_url, dataset["id"], fields, records, name="川の一覧")


def test_rows_are_ranked_within_windows_of_matches_in_table_order(anonymous: RemoteCKAN, rivers: str) -> None:
    # The first window (matches 1–1000 by _id) ranked, best first: 700 is a whole cell, the rest tie.
    assert ids(search(anonymous, rivers, q="川", limit=4)) == [700, 1, 2, 3]
    # The second window starts at the 1001st row of the order, with its own whole cell first.
    assert ids(search(anonymous, rivers, q="川", offset=RANK_WINDOW - 1, limit=3)) == [1000, 1500, 1001]
    pages = [ids(search(anonymous, rivers, q="川", offset=offset, limit=500)) for offset in range(0, 3000, 500)]
    order = [row for page in pages for row in page]
    assert sorted(order) == list(range(1, 3001)) and order[RANK_WINDOW] == 1500
    assert ids(search(anonymous, rivers, q="川", sort="番号 desc", limit=2)) == [3000, 2999]  # a sort wins


def test_windows_also_end_at_a_stretch_of_ids(
    sysadmin: RemoteCKAN, anonymous: RemoteCKAN, write_url: str, dataset: dict[str, Any]
) -> None:
    """Matches in `_id` 1–50000 are one window, those from 50001 the next: a whole cell past it comes later."""
    records = [{"名称": name} for name in ("第1号川", "第2号川", "第3号川", "川")]
    table = create_table(sysadmin, write_url, dataset["id"], [{"id": "名称", "type": "text"}], records, name="飛び番")
    with psycopg.connect(write_url) as connection:  # the last two rows far along the table
        connection.execute(
            sql.SQL("UPDATE {} SET _id = _id + %s WHERE _id > 2").format(sql.Identifier(table)), (WINDOW_ROWS,)
        )
    assert ids(search(anonymous, table, q="川")) == [1, 2, WINDOW_ROWS + 4, WINDOW_ROWS + 3]
    assert ids(search(anonymous, table, q="川", offset=2, limit=1)) == [WINDOW_ROWS + 4]
    assert ids(search(anonymous, table, q={"名称": "川"}, limit=1)) == [1]


def test_a_total_past_the_threshold_is_estimated_and_says_so(anonymous: RemoteCKAN, rivers: str) -> None:
    estimated = search(anonymous, rivers, q="川", limit=1)
    assert estimated["total_was_estimated"] is True and estimated["include_total"] is True
    assert estimated["total"] == 3_000  # a table this small is not sampled: counted, but past the threshold
    again = search(anonymous, rivers, q="川", limit=1, offset=2500)
    assert again["total"] == estimated["total"]
    exact = search(anonymous, rivers, q="川", limit=1, total_estimation_threshold=5_000)
    assert (exact["total"], exact["total_was_estimated"]) == (3_000, False)
    assert search(anonymous, rivers, q="00001号")["total_was_estimated"] is False  # 10 rows: counted
    filtered = search(anonymous, rivers, q="川", filters={"番号": 1500}, total_estimation_threshold=1)
    assert filtered["total_was_estimated"] is True and filtered["total"] >= 1
    assert ids(filtered) == [1500]


def test_column_form_searches_one_column(anonymous: RemoteCKAN, places: str) -> None:
    assert ids(search(anonymous, places, q={"名称": "小学校"})) == [4, 6, 7, 1]  # whole, then earliest in the cell
    assert ids(search(anonymous, places, q={"種別": "小学校"})) == [5]
    assert ids(search(anonymous, places, q={"名称": "ｶﾅﾘｱ"})) == [2]
    assert ids(search(anonymous, places, q={"種別": "abc"})) == [2]
    assert ids(search(anonymous, places, q={"名称": "津市 小学校"})) == [7]
    assert ids(search(anonymous, places, q={"所在地": "小学校"})) == []
    assert ids(search(anonymous, places, q={"名称": "学校", "所在地": "松阪"})) == [4]
    assert ids(search(anonymous, places, q={"定員": "80"}, sort="_id")) == [4, 5]  # not text: the value as text
    result = search(anonymous, places, q={"名称": "小学校"})
    assert {"id": "rank 名称", "type": "float"} in result["fields"]


def test_unknown_column_is_refused(anonymous: RemoteCKAN, places: str) -> None:
    with pytest.raises(ValidationError):
        search(anonymous, places, q={"_odl_search": "小学校"})


def test_tables_not_loaded_by_odl_keep_ckans_search(
    sysadmin: RemoteCKAN, anonymous: RemoteCKAN, write_url: str, dataset: dict[str, Any]
) -> None:
    stock = create_table(
        sysadmin,
        write_url,
        dataset["id"],
        [{"id": "名称", "type": "text"}],
        [{"名称": "鳥羽市"}, {"名称": "津市"}],
        odl=False,
        name="CKANのままの表",
    )
    assert search(anonymous, stock, q="津市")["total"] == 1  # a whole token: PostgreSQL's parser finds it
    assert search(anonymous, stock, q="鳥羽")["total"] == 0  # a substring: it does not


def test_full_text_and_other_record_formats_use_the_same_match(anonymous: RemoteCKAN, places: str) -> None:
    assert ids(search(anonymous, places, full_text="小学校")) == [4, 5, 6, 7, 1]
    as_lists = search(anonymous, places, q="小学校", records_format="lists", fields=["_id", "rank"])
    assert [row[0] for row in as_lists["records"]] == [4, 5, 6, 7, 1]
    as_csv = search(anonymous, places, q="小学校", records_format="csv", fields=["_id"])
    assert as_csv["records"].split() == ["4", "5", "6", "7", "1"]
    # CKAN binds csv/tsv parameters literally: neither the grams nor an unused rank may trip it.
    sorted_tsv = search(anonymous, places, q="小学校 三重", records_format="tsv", fields=["_id"], sort="_id")
    assert sorted_tsv["records"].split() == ["1", "4", "5", "6", "7"]
    quoted = search(anonymous, places, q={"名称": "100%_避難所\\"}, records_format="csv", fields=["_id", "rank 名称"])
    assert quoted["records"].split()[0].startswith("8,")
    two_columns = search(
        anonymous,
        places,
        q={"名称": "小学校", "種別": "避難"},
        records_format="csv",
        fields=["_id", "rank 種別"],
        sort="_id",
    )
    assert [line.split(",")[0] for line in two_columns["records"].split()] == ["1", "4", "7"]  # one rank of two used


def test_a_private_datasets_table_is_searched_only_by_who_may_read_it(
    sysadmin: RemoteCKAN, anonymous: RemoteCKAN, other_org_editor: RemoteCKAN, write_url: str, dataset: dict[str, Any]
) -> None:
    private = sysadmin.action.package_create(
        name=f"{dataset['name']}-private", title="非公開の表", owner_org=dataset["owner_org"], private=True
    )
    try:
        table = create_table(
            sysadmin, write_url, private["id"], [{"id": "名称", "type": "text"}], [{"名称": "秘密の鳥羽倉庫"}]
        )
        assert search(sysadmin, table, q="鳥羽")["total"] == 1
        for outsider in (anonymous, other_org_editor):
            with pytest.raises(NotAuthorized):
                search(outsider, table, q="鳥羽")
    finally:
        purge_dataset(sysadmin, private["id"])


def odl_tables_in_ckan(sysadmin: RemoteCKAN, write_url: str) -> list[str]:
    """Resource ids of the DataStore tables odl's loader wrote (they have `_odl_grams`) that CKAN knows,
    up to 200k rows."""
    with psycopg.connect(write_url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " JOIN pg_attribute a ON a.attrelid = c.oid WHERE n.nspname = 'public' AND c.relkind = 'r'"
                " AND a.attname = '_odl_grams' AND NOT a.attisdropped"
                " AND c.reltuples < 200000 ORDER BY c.relname"  # not the benchmarks' million-row tables
            )
        ]
    known = []
    for table in tables:
        try:
            sysadmin.action.resource_show(id=table)
        except NotFound:
            continue
        known.append(table)
    return known


def test_tables_the_loader_wrote_find_every_substring_of_their_cells(sysadmin: RemoteCKAN, write_url: str) -> None:
    """On whatever the loader has published: `total` equals an exact LIKE over `_odl_search`, so the
    grams the loader wrote never lose a row (they only narrow)."""
    tables = odl_tables_in_ckan(sysadmin, write_url)
    if not tables:
        pytest.skip("no DataStore table written by odl's loader yet")
    rng = random.Random(14)
    with psycopg.connect(write_url) as connection:
        for table in tables[:12]:
            name = sql.Identifier(table)
            texts = [
                row[0]
                for row in connection.execute(
                    sql.SQL("SELECT _odl_search FROM {} WHERE _odl_search IS NOT NULL ORDER BY _id LIMIT 500").format(
                        name
                    )
                )
            ]
            cells = [cell for text in texts for cell in text.split("\x1f") if cell.strip()]
            for _ in range(min(25, len(cells))):
                cell = rng.choice(cells)
                length = rng.randint(1, 6)
                start = rng.randint(0, max(0, len(cell) - length))
                word = cell[start : start + length]
                if word.split() != [word]:  # one word, as q would split it
                    continue
                pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                row = connection.execute(
                    sql.SQL("SELECT count(*) FROM {} WHERE _odl_search LIKE %s").format(name), (pattern,)
                ).fetchone()
                assert row is not None
                result = search(sysadmin, table, q=word, limit=0)
                if result["total_was_estimated"]:  # past the threshold: from a sample of the table, near the count
                    assert result["total"] >= TOTAL_ESTIMATION_THRESHOLD, (table, word)
                    assert row[0] / 2 <= result["total"] <= row[0] * 2, (table, word)
                else:
                    assert result["total"] == row[0], (table, word)
