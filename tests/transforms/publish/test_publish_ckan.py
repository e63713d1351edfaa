"""Publishing to the real local CKAN and DataStore: search, columns, dictionary, zero-downtime reloads, rollback."""

import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
import requests
from ckanapi import RemoteCKAN

from scripts import stack_ckan
from tests.ckan.conftest import STATE_DIR, citizen
from tests.transforms.publish.curated import evacuation_sites, visitors_by_region, write_curated
from transforms.cli import main
from transforms.contracts import load_departments, load_published_contracts
from transforms.publish import datastore, tables
from transforms.publish.datastore import DatastoreError, DatastoreLoader
from transforms.publish.publisher import Publisher, latest_curated, publish_dataset, rollback_dataset

pytestmark = pytest.mark.integration

CONTRACTS = load_published_contracts()
EVACUATION = CONTRACTS["evacuation-sites"]


def anonymous(publisher: Publisher) -> RemoteCKAN:
    return citizen(publisher.ckan.url)


def datastore_id(publisher: Publisher, dataset: str) -> str:
    package = publisher.ckan.call("package_show", {"id": publisher.name_prefix + dataset})
    return next(r["id"] for r in package["resources"] if r.get("odl_role") == "datastore")


def published_evacuation_sites(publisher: Publisher, data_root: Path, rows: int, marker: str) -> str:
    """A first version of evacuation-sites, curated and published; its DataStore resource id."""
    write_curated(data_root, "evacuation-sites", evacuation_sites(rows, marker=marker))
    publish_dataset(publisher, "evacuation-sites")
    return datastore_id(publisher, "evacuation-sites")


def _typed(frame: Any) -> pa.Table:
    return tables.typed_table(pa.Table.from_pandas(frame, preserve_index=False), EVACUATION)


def served_markers(publisher: Publisher, resource_id: str) -> tuple[int, set[str]]:
    result = anonymous(publisher).action.datastore_search(resource_id=resource_id, limit=5, fields=["備考"])
    return result["total"], {record["備考"] for record in result["records"]}


def test_two_datasets_are_searchable_in_japanese_with_japanese_columns_and_a_data_dictionary(
    publisher: Publisher, tmp_path: Path
) -> None:
    write_curated(tmp_path, "evacuation-sites", evacuation_sites(5))
    write_curated(tmp_path, "tourist-visitors-by-region", visitors_by_region(2))
    results = [publish_dataset(publisher, name) for name in ("evacuation-sites", "tourist-visitors-by-region")]
    assert [r.outcome for r in results] == ["published", "published"]

    ckan = anonymous(publisher)
    found = ckan.action.package_search(q="緊急避難", fq=f"organization:{publisher.name_prefix}disaster-prevention")
    assert [d["name"] for d in found["results"]] == [publisher.name_prefix + "evacuation-sites"]
    found = ckan.action.package_search(q="入込客", fq=f"organization:{publisher.name_prefix}tourism")
    assert [d["name"] for d in found["results"]] == [publisher.name_prefix + "tourist-visitors-by-region"]

    package = ckan.action.package_show(id=publisher.name_prefix + "evacuation-sites")
    assert package["organization"]["title"] == "防災対策部"
    assert {t["name"] for t in package["tags"]} >= {"自治体標準ODS", "指定緊急避難場所一覧", "防災"}
    assert package["license_id"] == "cc-by-4.0"
    assert [r["format"] for r in package["resources"]] == ["DataStore", "CSV", "Parquet"]

    resource_id = datastore_id(publisher, "evacuation-sites")
    search = ckan.action.datastore_search(resource_id=resource_id, filters={"市町名": "津市"})
    assert [f["id"] for f in search["fields"]][1:] == EVACUATION.column_names
    assert {r["市町名"] for r in search["records"]} == {"津市"}
    assert search["records"][0]["全国地方公共団体コード"] == "242012"

    info = ckan.action.datastore_info(id=resource_id)
    labels = {f["id"]: f["info"]["label"] for f in info["fields"]}
    assert labels["全国地方公共団体コード"] == "Local government code"
    assert labels["災害種別_崖崩れ、土石流及び地滑り"] == "Landslide and debris flow"
    types = {f["id"]: f["type"] for f in info["fields"]}
    assert (types["想定収容人数"], types["緯度"], types["標高"]) == ("int8", "float8", "numeric")

    csv_url = next(r["url"] for r in package["resources"] if r["format"] == "CSV")
    download = requests.get(csv_url, timeout=30).content
    assert download.startswith("\ufeff全国地方公共団体コード".encode()) or download.startswith(
        '\ufeff"全国地方公共団体コード"'.encode()
    )


def test_the_same_version_twice_writes_nothing_and_a_new_version_updates_in_place(
    publisher: Publisher, tmp_path: Path
) -> None:
    write_curated(tmp_path, "tourist-visitors-by-region", visitors_by_region(2))
    first = publish_dataset(publisher, "tourist-visitors-by-region")
    name = publisher.name_prefix + "tourist-visitors-by-region"
    before = publisher.ckan.call("package_show", {"id": name})

    again = publish_dataset(publisher, "tourist-visitors-by-region")
    after = publisher.ckan.call("package_show", {"id": name})
    assert again.outcome == "unchanged"
    assert after["metadata_modified"] == before["metadata_modified"]
    assert again.resource_ids == first.resource_ids

    write_curated(tmp_path, "tourist-visitors-by-region", visitors_by_region(3, bump=7))
    third = publish_dataset(publisher, "tourist-visitors-by-region")
    updated = publisher.ckan.call("package_show", {"id": name})
    assert third.outcome == "published"
    assert third.resource_ids == first.resource_ids
    assert updated["version"] == third.version != first.version
    assert third.change is not None
    assert (third.change["added"], third.change["removed"], third.change["changed"]) == (6, 0, 1)
    assert "### 更新履歴" in updated["notes"]
    extras = {e["key"]: e["value"] for e in updated["extras"]}
    assert (extras["temporal_coverage_start"], extras["temporal_coverage_end"]) == ("2024-01-01", "2024-03-31")
    assert [entry["version"] for entry in json.loads(extras["odl_changelog"])] == [third.version, first.version]

    ledger = [json.loads(line) for line in (tmp_path / "ledger" / "publish.jsonl").read_text().splitlines()]
    assert [(entry["outcome"], entry["version"]) for entry in ledger] == [
        ("published", first.version),
        ("unchanged", first.version),
        ("published", third.version),
    ]
    assert all(entry["ckan_url"].endswith(f"/dataset/{name}") for entry in ledger)


def test_a_reader_polling_during_reloads_never_sees_an_empty_or_partial_table(
    publisher: Publisher, tmp_path: Path
) -> None:
    sizes = {"v1": 8_000, "v2": 12_000}
    resource_id = published_evacuation_sites(publisher, tmp_path, sizes["v1"], "v1")
    seen: list[tuple[int, set[str]]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                seen.append(served_markers(publisher, resource_id))
            except BaseException as error:  # a failed read is as bad as an empty one
                errors.append(error)

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for marker in ("v2", "v1", "v2"):
            write_curated(tmp_path, "evacuation-sites", evacuation_sites(sizes[marker], marker=marker))
            publish_dataset(publisher, "evacuation-sites")
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert {(total, frozenset(markers)) for total, markers in seen} == {
        (sizes["v1"], frozenset({"v1"})),
        (sizes["v2"], frozenset({"v2"})),
    }
    assert len(seen) > 10


def _tables_named(url: str, resource_id: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND c.relname LIKE %s ORDER BY 1",
            (f"{resource_id}%",),
        ).fetchall()
    return [(schema, name) for schema, name in rows]


def test_a_load_that_fails_part_way_leaves_the_previous_version_served(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    resource_id = published_evacuation_sites(publisher, tmp_path, 50, "v1")
    tables_before = _tables_named(ckan_stack["datastore_write_url"], resource_id)
    new = _typed(evacuation_sites(100, marker="v2"))

    def broken_chunks() -> Any:
        yield from list(tables.copy_chunks(new, batch_rows=10))[:3]
        raise OSError("disk full (injected)")

    with pytest.raises(OSError, match="injected"):
        publisher.loader.load(resource_id, broken_chunks(), "v2", columns=EVACUATION.column_names)
    assert served_markers(publisher, resource_id) == (50, {"v1"})
    assert _tables_named(ckan_stack["datastore_write_url"], resource_id) == tables_before


KILLED_LOAD = """
import sys, time
from transforms.publish.datastore import DatastoreLoader

def chunks():
    yield sys.stdin.buffer.read()
    print("copying", flush=True)
    time.sleep(120)

DatastoreLoader(sys.argv[1]).load(sys.argv[2], chunks(), "killed", columns=sys.argv[3].split(","))
"""


def test_a_load_killed_mid_copy_leaves_the_previous_version_served(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    resource_id = published_evacuation_sites(publisher, tmp_path, 50, "v1")
    new = _typed(evacuation_sites(500, marker="v2"))
    url = ckan_stack["datastore_write_url"]
    loader = subprocess.Popen(
        [sys.executable, "-c", KILLED_LOAD, url, resource_id, ",".join(EVACUATION.column_names)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )
    assert loader.stdin is not None and loader.stdout is not None
    loader.stdin.write(b"".join(tables.copy_chunks(new)))
    loader.stdin.close()
    assert loader.stdout.readline().strip() == b"copying"
    loader.kill()
    loader.wait()

    assert served_markers(publisher, resource_id) == (50, {"v1"})
    # The server rolls the dead session back: no half-built staging table is left, the next load is not blocked.
    deadline = time.monotonic() + 30
    while "odl_staging" in dict(_tables_named(url, resource_id)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "odl_staging" not in dict(_tables_named(url, resource_id))
    write_curated(tmp_path, "evacuation-sites", evacuation_sites(60, marker="v3"))
    publish_dataset(publisher, "evacuation-sites")
    assert served_markers(publisher, resource_id) == (60, {"v3"})


def _served_csv(loader: DatastoreLoader, resource_id: str, schema: str = "public") -> bytes:
    return loader.dump_csv(resource_id, EVACUATION.column_names, schema)


def _served_rows(loader: DatastoreLoader, resource_id: str) -> list[dict[str, Any]]:
    as_text = pacsv.ConvertOptions(column_types=dict.fromkeys(EVACUATION.column_names, pa.string()))
    dumped = pacsv.read_csv(pa.BufferReader(_served_csv(loader, resource_id)), convert_options=as_text)
    return tables.typed_table(dumped, EVACUATION).to_pylist()


def test_a_reload_close_to_the_kept_version_changes_only_the_rows_that_differ(
    publisher: Publisher, tmp_path: Path
) -> None:
    loader = publisher.loader
    resource_id = published_evacuation_sites(publisher, tmp_path, 40, "v1")
    columns = EVACUATION.column_names
    first = loader.load(
        resource_id, tables.copy_chunks(_typed(evacuation_sites(40, marker="v2"))), "v2", columns=columns
    )
    assert first.method == "rebuild"  # the kept table is the empty one datastore_create made, not a version

    # Against the kept v1: three rows edited (one only in how a decimal is written), three appended.
    v3 = evacuation_sites(43, marker="v1")
    v3.loc[4, "名称"] = "津市立中央避難場所"
    v3.loc[9, "想定収容人数"] = "12345"
    assert v3.loc[2, "標高"] == "3.5"
    v3.loc[2, "標高"] = "3.50"
    reload = loader.load(resource_id, tables.copy_chunks(_typed(v3)), "v3", columns=columns)

    assert (reload.method, reload.changed_rows, reload.rows) == ("in_place", 3 * 2 + 3, 43)
    assert _served_rows(loader, resource_id) == _typed(v3).to_pylist()  # same rows, same order (_id = file row)
    assert served_markers(publisher, resource_id) == (43, {"v1"})
    assert loader.version(resource_id, "odl_previous").version == "v2"  # type: ignore[union-attr]
    ckan = anonymous(publisher)
    found = ckan.action.datastore_search(resource_id=resource_id, q="津市立中央避難場所")
    assert [r["ID"] for r in found["records"]] == ["00005"]  # full text filled for the changed row
    info = ckan.action.datastore_info(id=resource_id)
    labels = {f["id"]: f["info"]["label"] for f in info["fields"]}
    assert labels["全国地方公共団体コード"] == "Local government code"  # the data dictionary came along
    added = {k: (v or None) for k, v in v3.iloc[0].to_dict().items()} | {"ID": "99999"}
    publisher.ckan.call("datastore_upsert", {"resource_id": resource_id, "records": [added], "method": "insert"})
    last = ckan.action.datastore_search(resource_id=resource_id, sort="_id desc", limit=1)["records"][0]
    assert (last["ID"], last["_id"]) == ("99999", 44)  # the API's next row follows the reloaded ones

    assert loader.rollback(resource_id).version == "v2"
    assert served_markers(publisher, resource_id) == (40, {"v2"})
    # More than half the rows differ from the kept v3: built anew, not patched row by row.
    v4 = loader.load(resource_id, tables.copy_chunks(_typed(evacuation_sites(43, marker="v4"))), "v4", columns=columns)
    assert (v4.method, v4.changed_rows) == ("rebuild", None)
    assert served_markers(publisher, resource_id) == (43, {"v4"})


def _next_id(url: str, table: str) -> tuple[int, bool]:
    with psycopg.connect(url) as connection:
        sequence = connection.execute("SELECT pg_get_serial_sequence(%s, '_id')", (table,)).fetchone()[0]  # type: ignore[index]
        return connection.execute(f"SELECT last_value, is_called FROM {sequence}").fetchone()  # type: ignore[return-value]


def test_an_in_place_reload_that_fails_leaves_both_versions_as_they_were(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    loader = publisher.loader
    columns = EVACUATION.column_names
    resource_id = published_evacuation_sites(publisher, tmp_path, 30, "v1")
    loader.load(resource_id, tables.copy_chunks(_typed(evacuation_sites(30, marker="v2"))), "v2", columns=columns)
    live_before = _served_csv(loader, resource_id)
    kept_before = _served_csv(loader, resource_id, "odl_previous")

    kept_table = f'odl_previous."{resource_id}__previous"'
    sequence_before = _next_id(ckan_stack["datastore_write_url"], kept_table)

    def no_rebuild(*args: Any) -> None:
        raise AssertionError("this load must go in place")

    monkeypatch.setattr(datastore, "_rebuild_in_staging", no_rebuild)
    broken = evacuation_sites(31, marker="v1")
    broken.loc[5, "名称"] = "変更された避難場所"  # deleted and inserted again
    broken.loc[30, "ID"] = broken.loc[0, "ID"]  # a duplicate of an unchanged row's key: the insert fails
    with pytest.raises(psycopg.errors.UniqueViolation):
        loader.load(resource_id, tables.copy_chunks(_typed(broken)), "broken", columns=columns)

    assert _served_csv(loader, resource_id) == live_before
    assert _served_csv(loader, resource_id, "odl_previous") == kept_before
    assert _next_id(ckan_stack["datastore_write_url"], kept_table) == sequence_before

    def fails_after_the_insert(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("stopped after the insert (injected)")

    monkeypatch.setattr(datastore, "_finish", fails_after_the_insert)
    shorter = _typed(evacuation_sites(25, marker="v1"))  # fewer rows: the kept table's next _id goes down
    with pytest.raises(RuntimeError, match="injected"):
        loader.load(resource_id, tables.copy_chunks(shorter), "shorter", columns=columns)
    assert _served_csv(loader, resource_id, "odl_previous") == kept_before
    assert _next_id(ckan_stack["datastore_write_url"], kept_table) == sequence_before
    assert loader.version(resource_id).version == "v2"  # type: ignore[union-attr]


def test_odl_rollback_restores_the_previous_version(
    publisher: Publisher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    monkeypatch.setenv("ODL_CKAN_NAME_PREFIX", publisher.name_prefix)
    first = write_curated(tmp_path, "evacuation-sites", evacuation_sites(5, marker="v1"))
    assert main(["publish", "evacuation-sites"]) == 0
    second = write_curated(tmp_path, "evacuation-sites", evacuation_sites(7, marker="v2"))
    assert main(["publish", "evacuation-sites"]) == 0
    resource_id = datastore_id(publisher, "evacuation-sites")
    assert served_markers(publisher, resource_id) == (7, {"v2"})
    capsys.readouterr()

    assert main(["rollback", "evacuation-sites"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["outcome"], printed["version"]) == ("rolled_back", first)
    assert served_markers(publisher, resource_id) == (5, {"v1"})
    package = publisher.ckan.call("package_show", {"id": publisher.name_prefix + "evacuation-sites"})
    assert package["version"] == first
    assert datastore_id(publisher, "evacuation-sites") == resource_id
    assert {r["odl_version"] for r in package["resources"]} == {first}

    assert main(["rollback", "evacuation-sites"]) == 0  # and back again: the rolled-back version was kept
    assert served_markers(publisher, resource_id) == (7, {"v2"})
    assert latest_curated("evacuation-sites", tmp_path).version == second


def test_a_lost_datastore_table_is_made_and_loaded_again(publisher: Publisher, tmp_path: Path) -> None:
    resource_id = published_evacuation_sites(publisher, tmp_path, 6, "v1")
    publisher.ckan.call("datastore_delete", {"resource_id": resource_id, "force": True})

    assert publish_dataset(publisher, "evacuation-sites").outcome == "published"
    assert datastore_id(publisher, "evacuation-sites") == resource_id
    assert served_markers(publisher, resource_id) == (6, {"v1"})
    assert publish_dataset(publisher, "evacuation-sites").outcome == "unchanged"


def test_a_rollback_cut_short_after_its_swap_is_finished_not_undone_when_run_again(
    publisher: Publisher, tmp_path: Path
) -> None:
    first = write_curated(tmp_path, "evacuation-sites", evacuation_sites(5, marker="v1"))
    publish_dataset(publisher, "evacuation-sites")
    resource_id = published_evacuation_sites(publisher, tmp_path, 7, "v2")

    class Killed(BaseException):
        """The process stopped between the DataStore swap and the metadata (not an error it could log)."""

    class DiesAfterTheSwap(Publisher):
        def publish_table(self, *args: Any, **kwargs: Any) -> Any:
            raise Killed

    dying = DiesAfterTheSwap(publisher.ckan, publisher.loader, name_prefix=publisher.name_prefix, data_root=tmp_path)
    with pytest.raises(Killed):
        rollback_dataset(dying, "evacuation-sites")
    assert served_markers(publisher, resource_id) == (5, {"v1"})

    result = rollback_dataset(publisher, "evacuation-sites")
    assert (result.outcome, result.version) == ("rolled_back", first)
    assert served_markers(publisher, resource_id) == (5, {"v1"})
    package = publisher.ckan.call("package_show", {"id": publisher.name_prefix + "evacuation-sites"})
    assert package["version"] == first
    assert rollback_dataset(publisher, "evacuation-sites").version != first  # a new rollback toggles again


def test_new_columns_and_key_from_a_changed_contract_arrive_together_with_their_rows(
    publisher: Publisher, tmp_path: Path, ckan_stack: dict[str, str]
) -> None:
    resource_id = published_evacuation_sites(publisher, tmp_path, 3000, "v1")
    catalog = tmp_path / "catalog"
    shutil.copytree(Path(__file__).resolve().parents[3] / "catalog", catalog)
    contract_file = catalog / "datasets" / "evacuation-sites" / "published.yaml"
    text = contract_file.read_text(encoding="utf-8").replace("key: [全国地方公共団体コード, ID]", "key: [ID]")
    text = text.replace("label_en: Region,", "label_en: Area,")
    text += "  - {name: 収容可能世帯数, type: integer, label_en: Households, description: 収容できる世帯の数}\n"
    contract_file.write_text(text, encoding="utf-8")
    changed = Publisher(
        publisher.ckan, publisher.loader, name_prefix=publisher.name_prefix, catalog_dir=catalog, data_root=tmp_path
    )
    v2 = evacuation_sites(3000, marker="v2").assign(収容可能世帯数="25")
    write_curated(tmp_path, "evacuation-sites", v2)

    seen: list[tuple[bool, frozenset[str], frozenset[Any]]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                records = anonymous(publisher).action.datastore_search(resource_id=resource_id, limit=3)["records"]
            except BaseException as error:  # a failed read is as bad as a mixed one
                errors.append(error)
                continue
            households = frozenset(r.get("収容可能世帯数") for r in records)
            seen.append(("収容可能世帯数" in records[0], frozenset(r["備考"] for r in records), households))

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        result = publish_dataset(changed, "evacuation-sites")
    finally:
        stop.set()
        reader.join()
    assert result.outcome == "published"
    assert errors == []
    # Old columns with old rows, or new columns with the new rows that fill them: never a mix.
    assert set(seen) <= {(False, frozenset({"v1"}), frozenset({None})), (True, frozenset({"v2"}), frozenset({25}))}
    assert (True, frozenset({"v2"}), frozenset({25})) in set(seen)

    info = anonymous(publisher).action.datastore_info(id=resource_id)
    fields = {f["id"]: f for f in info["fields"]}
    assert (fields["収容可能世帯数"]["type"], fields["収容可能世帯数"]["info"]["label"]) == ("int8", "Households")
    assert fields["地域"]["info"]["label"] == "Area"
    assert publisher.loader.unique_key(resource_id) == ["ID"]
    with psycopg.connect(ckan_stack["datastore_write_url"]) as connection:
        indexes = connection.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", (resource_id,)).fetchall()
    assert sum("USING gist (_full_text)" in definition for (definition,) in indexes) == 1  # kept, not made twice
    assert publish_dataset(changed, "evacuation-sites").outcome == "unchanged"  # CKAN sees the table it would make
    with pytest.raises(DatastoreError, match="columns"):
        publisher.loader.rollback(resource_id)  # the kept version has the old columns: publish it instead


def test_ckan_stopped_during_a_publish_is_ridden_out_and_the_dataset_ends_consistent(
    publisher: Publisher, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="transforms.publish.ckan_client")
    write_curated(tmp_path, "tourist-visitors-by-region", visitors_by_region(2))
    publish_dataset(publisher, "tourist-visitors-by-region")
    version = write_curated(tmp_path, "tourist-visitors-by-region", visitors_by_region(4))
    restarted = threading.Event()

    class StopCkanAfterLoad(DatastoreLoader):
        def load(self, *args: Any, **kwargs: Any) -> Any:
            result = super().load(*args, **kwargs)
            stack_ckan.down(STATE_DIR)  # the rest of the publish (uploads, metadata) meets a dead CKAN

            def bring_back() -> None:
                time.sleep(3)
                stack_ckan.up(STATE_DIR)
                restarted.set()

            threading.Thread(target=bring_back, daemon=True).start()
            return result

    outage = Publisher(
        publisher.ckan, StopCkanAfterLoad(publisher.loader._url), name_prefix=publisher.name_prefix, data_root=tmp_path
    )
    try:
        result = publish_dataset(outage, "tourist-visitors-by-region")
    finally:
        restarted.wait(120)
        stack_ckan.up(STATE_DIR)  # whatever happened, leave CKAN running for everyone else
    assert result.outcome == "published"
    assert "retrying" in caplog.text  # CKAN really was away for part of the publish
    package = publisher.ckan.call("package_show", {"id": publisher.name_prefix + "tourist-visitors-by-region"})
    assert package["version"] == version
    assert {r["odl_version"] for r in package["resources"]} == {version}
    assert publish_dataset(publisher, "tourist-visitors-by-region").outcome == "unchanged"



@pytest.mark.integration
def test_an_organization_another_publish_made_meanwhile_is_used_not_an_error(publisher: Publisher) -> None:
    """Two datasets of one department published at once: both find no organization, the second create is refused."""
    department = next(iter(load_departments().values()))
    name = publisher.organization_name(department)
    made_by_the_other_publish = publisher.ckan.call("organization_create", {"name": name, "title": department.name})
    real_show = publisher.ckan.show
    looked: list[str] = []

    def show_as_seen_before_the_other_publish(action: str, **data: Any) -> dict[str, Any] | None:
        if action == "organization_show" and not looked:
            looked.append(data["id"])
            return None
        return real_show(action, **data)

    publisher.ckan.show = show_as_seen_before_the_other_publish  # type: ignore[method-assign]
    organization = publisher._ensure_organization(department)
    assert looked == [name]
    assert organization["id"] == made_by_the_other_publish["id"]
