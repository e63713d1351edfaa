"""The search columns the loader writes, on the real DataStore: every load path fills them, as Python computes."""

import json
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pyarrow as pa
import pytest

from tests.transforms.publish.curated import evacuation_sites, write_curated
from transforms.contracts import load_published_contracts
from transforms.publish import metadata, search, tables
from transforms.publish.datastore import LIVE, PREVIOUS, STAGING, TableShape
from transforms.publish.publisher import Publisher, publish_dataset

pytestmark = pytest.mark.integration

EVACUATION = load_published_contracts()["evacuation-sites"]


def _table(schema: str, resource_id: str) -> str:
    name = {LIVE: resource_id, STAGING: f"{resource_id}__next", PREVIOUS: f"{resource_id}__previous"}[schema]
    return f'"{schema}"."{name}"'


def stored(url: str, resource_id: str, schema: str = LIVE) -> list[dict[str, Any]]:
    """Every row: its data cells as PostgreSQL serves them (text), `_odl_search`, `_odl_grams`, `_full_text`."""
    with psycopg.connect(url) as connection:
        table = _table(schema, resource_id)
        columns = connection.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "AND attname NOT LIKE '\\_%%' ORDER BY attnum",
            (table,),
        ).fetchall()
        cells = ", ".join(f'"{name}"::text' for (name,) in columns)
        rows = connection.execute(
            f"SELECT ARRAY[{cells}], _odl_search, _odl_grams, _full_text IS NULL FROM {table} ORDER BY _id"
        ).fetchall()
    return [{"cells": c, "search": s, "grams": g, "full_text_null": f} for c, s, g, f in rows]


def expected_search(cells: list[str | None]) -> str:
    """The interface, written out in Python: ␟ + ␟.join(normalised non-empty cells) + ␟."""
    return "\x1f" + "\x1f".join(search.normalise(c) for c in cells if c) + "\x1f"


def assert_search_columns_match_python(url: str, resource_id: str, schema: str = LIVE) -> int:
    rows = stored(url, resource_id, schema)
    for row in rows:
        assert row["search"] == expected_search(row["cells"])
        assert set(row["grams"]) == search.grams(row["search"])
        assert len(row["grams"]) == len(set(row["grams"]))  # distinct
        assert row["full_text_null"]  # CKAN's tsvector is left empty
    return len(rows)


def grams_index_and_trigger(url: str, resource_id: str) -> tuple[list[str], str]:
    with psycopg.connect(url) as connection:
        indexes = connection.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s AND indexdef LIKE %s",
            (resource_id, "%_odl_grams%"),
        ).fetchall()
        enabled = connection.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = 'zfulltext'",
            (_table(LIVE, resource_id),),
        ).fetchone()
    return [definition for (definition,) in indexes], (enabled or ("missing",))[0]


def mixed_sites(count: int, marker: str) -> pd.DataFrame:
    """evacuation-sites with half-width kana, full-width letters and digits and upper case in its cells."""
    frame = evacuation_sites(count, marker=marker)
    frame["名称_カナ"] = "ﾋﾅﾝﾊﾞｼｮ"
    frame["名称_英字"] = [f"ＨＩＮＡＮ Site {n}" for n in range(count)]
    frame["所在地_連結表記"] = [f"三重県津市１丁目{n}番地" for n in range(count)]
    frame["備考"] = (
        '旧称 "港{東,西}" \\ 分室'  # what an array literal must quote: quote, backslash, braces, comma, space
    )
    return frame


def _typed(frame: pd.DataFrame) -> pa.Table:
    return tables.typed_table(pa.Table.from_pandas(frame, preserve_index=False), EVACUATION)


def _datastore_id(publisher: Publisher) -> str:
    package = publisher.ckan.call("package_show", {"id": publisher.name_prefix + "evacuation-sites"})
    return next(r["id"] for r in package["resources"] if r.get("odl_role") == "datastore")


def test_a_first_load_fills_the_search_columns_as_python_normalises_the_served_cells(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    write_curated(tmp_path, "evacuation-sites", mixed_sites(30, "v1"))
    publish_dataset(publisher, "evacuation-sites")
    resource_id = _datastore_id(publisher)
    url = ckan_stack["datastore_write_url"]

    assert assert_search_columns_match_python(url, resource_id) == 30
    first = stored(url, resource_id)[0]
    assert "\x1fひなんばしょ\x1f" not in first["search"]  # NFKC makes katakana, it does not change script
    assert "\x1fヒナンバショ\x1f" in first["search"]
    assert "\x1fhinan site 0\x1f" in first["search"]
    assert "三重県津市1丁目0番地" in first["search"]
    assert {"ヒ", "バ", "ヒナ", "ンバ", "1丁"} <= set(first["grams"])
    assert not any(search.SEPARATOR in gram for gram in first["grams"])
    assert {'"', "\\", "{", ",", " ", '"港', "{東", "東,", "西}", "\\ "} <= set(first["grams"])
    indexes, trigger = grams_index_and_trigger(url, resource_id)
    assert [d.split(" USING ")[1] for d in indexes] == ["gin (_odl_grams)"]
    assert trigger == "O"  # CKAN's trigger is there, enabled, for rows added through the API


def published_once(publisher: Publisher, tmp_path: Path, rows: int) -> str:
    """evacuation-sites published as version v1 of `rows` mixed sites; its DataStore resource id."""
    write_curated(tmp_path, "evacuation-sites", mixed_sites(rows, "v1"))
    publish_dataset(publisher, "evacuation-sites")
    return _datastore_id(publisher)


def test_an_in_place_reload_fills_the_new_rows_and_a_rollback_serves_filled_columns(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    url, loader = ckan_stack["datastore_write_url"], publisher.loader
    resource_id = published_once(publisher, tmp_path, 40)
    columns = EVACUATION.column_names
    loader.load(resource_id, tables.copy_chunks(_typed(mixed_sites(40, "v2"))), "v2", columns=columns)

    v3 = mixed_sites(43, "v1")
    v3.loc[4, "名称"] = "ＫＵＷＡＮＡ第２避難場所"
    reload = loader.load(resource_id, tables.copy_chunks(_typed(v3)), "v3", columns=columns)

    assert (reload.method, reload.changed_rows) == ("in_place", 2 + 3)
    assert assert_search_columns_match_python(url, resource_id) == 43
    assert "\x1fkuwana第2避難場所\x1f" in stored(url, resource_id)[4]["search"]
    indexes, trigger = grams_index_and_trigger(url, resource_id)
    assert (len(indexes), trigger) == (1, "O")  # the trigger is on again after the insert

    assert loader.rollback(resource_id).version == "v2"
    assert assert_search_columns_match_python(url, resource_id) == 40
    assert assert_search_columns_match_python(url, resource_id, PREVIOUS) == 43


def test_a_rollback_to_a_version_loaded_before_the_search_columns_gives_it_them(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    url, loader = ckan_stack["datastore_write_url"], publisher.loader
    resource_id = published_once(publisher, tmp_path, 12)
    loader.load(resource_id, tables.copy_chunks(_typed(mixed_sites(15, "v2"))), "v2", columns=EVACUATION.column_names)
    # The kept v1 as an earlier loader left it: no search columns, row hash or index, `_full_text` filled.
    kept = _table(PREVIOUS, resource_id)
    with psycopg.connect(url) as connection:
        connection.execute(
            f"ALTER TABLE {kept} DROP COLUMN _odl_search, DROP COLUMN _odl_grams, DROP COLUMN _odl_row_hash"
        )
        connection.execute(f"UPDATE {kept} SET _full_text = to_tsvector('津市')")
        comment = {"version": "v1", "rows": 12, "loaded_at": "2026-12-01T00:00:00+00:00", "full_text": True}
        connection.execute(f"COMMENT ON TABLE {kept} IS '{json.dumps(comment)}'")

    assert loader.rollback(resource_id).version == "v1"

    assert len(stored(url, resource_id)) == 12
    assert all(row["search"] == expected_search(row["cells"]) for row in stored(url, resource_id))
    assert all(set(row["grams"]) == search.grams(row["search"]) for row in stored(url, resource_id))
    assert len(grams_index_and_trigger(url, resource_id)[0]) == 1
    assert loader.version(resource_id).search  # type: ignore[union-attr]
    assert loader.rollback(resource_id).version == "v2"  # and back


def test_a_reshaped_table_gets_its_new_columns_in_the_search_text(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    url = ckan_stack["datastore_write_url"]
    write_curated(tmp_path, "evacuation-sites", mixed_sites(10, "v1"))
    publish_dataset(publisher, "evacuation-sites")
    resource_id = _datastore_id(publisher)
    fields = [*metadata.datastore_fields(EVACUATION), {"id": "収容可能世帯数", "type": "int8"}]
    frame = _typed(mixed_sites(10, "v2")).append_column("収容可能世帯数", pa.array([7777] * 10, pa.int64()))

    result = publisher.loader.load(
        resource_id,
        tables.copy_chunks(frame),
        "v2",
        columns=frame.column_names,
        reshape=TableShape(fields, list(EVACUATION.key)),
    )

    assert result.method == "rebuild"
    assert assert_search_columns_match_python(url, resource_id) == 10
    assert all(row["search"].endswith("\x1f7777\x1f") for row in stored(url, resource_id))
    assert len(grams_index_and_trigger(url, resource_id)[0]) == 1


def test_reloads_never_serve_an_empty_table_or_rows_without_their_search_columns(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    url = ckan_stack["datastore_write_url"]
    sizes = {"v1": 6_000, "v2": 9_000}
    write_curated(tmp_path, "evacuation-sites", mixed_sites(sizes["v1"], "v1"))
    publish_dataset(publisher, "evacuation-sites")
    resource_id = _datastore_id(publisher)
    seen: list[tuple[int, int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def poll() -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            while not stop.is_set():
                try:
                    row = connection.execute(
                        f"SELECT count(*), count(_odl_search), count(*) FILTER (WHERE _odl_grams @> ARRAY['ヒ']) "
                        f'FROM "{resource_id}"'
                    ).fetchone()
                    seen.append(row)  # type: ignore[arg-type]
                except psycopg.Error as error:  # a failed read is as bad as an empty one
                    errors.append(error)

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for marker in ("v2", "v1", "v2"):
            write_curated(tmp_path, "evacuation-sites", mixed_sites(sizes[marker], marker))
            publish_dataset(publisher, "evacuation-sites")
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert set(seen) == {(n, n, n) for n in sizes.values()}


def test_a_version_served_from_a_table_without_search_columns_is_loaded_again_to_get_them(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    url = ckan_stack["datastore_write_url"]
    write_curated(tmp_path, "evacuation-sites", mixed_sites(8, "v1"))
    first = publish_dataset(publisher, "evacuation-sites")
    resource_id = _datastore_id(publisher)
    live = _table(LIVE, resource_id)
    with psycopg.connect(url) as connection:  # as a loader before issue 14 left it
        connection.execute(f"ALTER TABLE {live} DROP COLUMN _odl_search, DROP COLUMN _odl_grams")
        comment = {"version": first.version, "rows": 8, "loaded_at": "2026-12-01T00:00:00+00:00", "full_text": True}
        connection.execute(f"COMMENT ON TABLE {live} IS '{json.dumps(comment)}'")

    again = publish_dataset(publisher, "evacuation-sites")

    assert (again.outcome, again.version) == ("published", first.version)
    assert assert_search_columns_match_python(url, resource_id) == 8
    assert publish_dataset(publisher, "evacuation-sites").outcome == "unchanged"


def null_row_hashes(url: str, resource_id: str, schema: str = LIVE) -> int:
    with psycopg.connect(url) as connection:
        found = connection.execute(f"SELECT count(*) FROM {_table(schema, resource_id)} WHERE _odl_row_hash IS NULL")
        return int(found.fetchone()[0])  # type: ignore[index]


def test_a_kept_version_without_row_hashes_is_rebuilt_not_reloaded_in_place_and_rollbacks_cross_it(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    url, loader = ckan_stack["datastore_write_url"], publisher.loader
    resource_id = published_once(publisher, tmp_path, 20)
    columns = EVACUATION.column_names
    loader.load(resource_id, tables.copy_chunks(_typed(mixed_sites(20, "v2"))), "v2", columns=columns)
    assert null_row_hashes(url, resource_id) == null_row_hashes(url, resource_id, PREVIOUS) == 0
    kept = _table(PREVIOUS, resource_id)
    with psycopg.connect(url) as connection:  # v1 as the loader before the row hash left it
        connection.execute(f"ALTER TABLE {kept} DROP COLUMN _odl_row_hash")
        comment = {"version": "v1", "rows": 20, "loaded_at": "2026-12-02T00:00:00+00:00", "search": True}
        connection.execute(f"COMMENT ON TABLE {kept} IS '{json.dumps(comment)}'")

    assert loader.rollback(resource_id).version == "v1"  # it gets the column (empty) and is served
    assert loader.rollback(resource_id).version == "v2"  # and back: v1 is kept, without hashes
    close_to_v1 = mixed_sites(20, "v1")
    close_to_v1.loc[3, "名称"] = "鳥羽市立避難所"
    rebuilt = loader.load(resource_id, tables.copy_chunks(_typed(close_to_v1)), "v3", columns=columns)

    assert rebuilt.method == "rebuild"  # a hash it does not have cannot tell which rows are the same
    assert "\x1f鳥羽市立避難所\x1f" in stored(url, resource_id)[3]["search"]
    assert null_row_hashes(url, resource_id) == 0
    close_to_v2 = mixed_sites(20, "v2")
    close_to_v2.loc[5, "名称"] = "津市立避難所"
    in_place = loader.load(resource_id, tables.copy_chunks(_typed(close_to_v2)), "v4", columns=columns)
    assert (in_place.method, in_place.changed_rows) == ("in_place", 2)
    assert assert_search_columns_match_python(url, resource_id) == 20
    assert null_row_hashes(url, resource_id) == 0


def test_a_file_with_its_columns_in_another_order_is_still_compared_row_by_row(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    url, loader = ckan_stack["datastore_write_url"], publisher.loader
    resource_id = published_once(publisher, tmp_path, 20)
    loader.load(resource_id, tables.copy_chunks(_typed(mixed_sites(20, "v2"))), "v2", columns=EVACUATION.column_names)
    close_to_v1 = mixed_sites(20, "v1")
    close_to_v1.loc[7, "名称"] = "伊勢市立避難所"
    reversed_columns = list(reversed(EVACUATION.column_names))

    reload = loader.load(
        resource_id, tables.copy_chunks(_typed(close_to_v1).select(reversed_columns)), "v3", columns=reversed_columns
    )

    assert (reload.method, reload.changed_rows) == ("in_place", 2)  # the hash reads the cells in table order
    assert assert_search_columns_match_python(url, resource_id) == 20
    assert "\x1f伊勢市立避難所\x1f" in stored(url, resource_id)[7]["search"]
    assert null_row_hashes(url, resource_id) == 0
