"""`odl restore`: which version of each dataset the ledger says CKAN served, and the disaster drill itself.

The drill runs on a disposable CKAN (scripts/scratch_ckan.py: its own state folder, ports, databases and
roles), never the stack's: it publishes, drops both databases, brings CKAN back with the stack's own `up`,
restores, and compares everything a citizen or an app builder sees.
"""

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import requests

from scripts.scratch_ckan import ScratchCkan
from scripts.services import run_sql
from tests.transforms.connect.conftest import csf_rows, put_raw, raw_table
from tests.transforms.publish.curated import evacuation_sites, visitors_by_region, write_curated
from transforms.cli import main
from transforms.connect.run import connect_dataset
from transforms.contracts import load_published_contracts
from transforms.data_layout import PUBLISHES, DataLayout, PublishFailure, PublishLine
from transforms.publish import restore
from transforms.publish.ckan_client import CkanClient
from transforms.publish.datastore import DatastoreLoader
from transforms.publish.publisher import Publisher, publish_dataset, rollback_dataset
from transforms.publish.tables import CuratedDataError

STATE_DIR = Path(__file__).resolve().parents[3] / "state" / "scratch-restore"
DATASETS = ("evacuation-sites", "tourist-visitors-by-region")


def change(version: str, previous: str | None, at: str, note: str = "") -> dict[str, Any]:
    return {
        "version": version,
        "previous_version": previous,
        "published_at": at,
        "rows": 5,
        "added": 5 if previous is None else 1,
        "removed": 0,
        "changed": 0,
        "note": note or ("新規公開" if previous is None else ""),
    }


def ledger(data_root: Path, *lines: PublishLine | PublishFailure) -> DataLayout:
    layout = DataLayout(data_root)
    layout.ledger_file(PUBLISHES).parent.mkdir(parents=True, exist_ok=True)
    for line in lines:
        layout.append(PUBLISHES, line)
    return layout


def published(version: str, outcome: str = "published", **fields: Any) -> PublishLine:
    return PublishLine(
        dataset="evacuation-sites", version=version, rows=5, outcome=outcome, time="t-" + version, **fields
    )


# --- what the ledger says (no CKAN) ------------------------------------------------------------------


def test_the_served_version_is_the_last_publish_or_rollback_and_failures_change_nothing(tmp_path: Path) -> None:
    layout = ledger(
        tmp_path,
        published("a" * 16, change=change("a" * 16, None, "2026-01-01T09:00:00+09:00")),
        published("b" * 16, change=change("b" * 16, "a" * 16, "2026-02-01T09:00:00+09:00")),
        published("b" * 16, outcome="unchanged"),
        published("a" * 16, outcome="rolled_back", change=change("a" * 16, "b" * 16, "2026-03-01T09:00:00+09:00")),
        PublishFailure(dataset="evacuation-sites", version="c" * 16, error="CkanUnavailable"),
    )
    served = restore.served_versions(layout)["evacuation-sites"]
    assert served.version == "a" * 16
    assert [(c.version, c.previous_version) for c in served.before.history] == [
        ("a" * 16, "b" * 16),
        ("b" * 16, "a" * 16),
        ("a" * 16, None),
    ]
    assert served.before.published_at == "2026-03-01T09:00:00+09:00"


def test_the_changelog_starts_again_where_the_dataset_was_published_anew(tmp_path: Path) -> None:
    """A dataset purged and published again starts a new history on CKAN; the restore rebuilds that one."""
    layout = ledger(
        tmp_path,
        published("a" * 16, change=change("a" * 16, None, "2026-01-01T09:00:00+09:00")),
        published("b" * 16, change=change("b" * 16, "a" * 16, "2026-02-01T09:00:00+09:00")),
        published("c" * 16, change=change("c" * 16, None, "2026-03-01T09:00:00+09:00")),
    )
    history = restore.served_versions(layout)["evacuation-sites"].before.history
    assert [c.version for c in history] == ["c" * 16]


def test_a_dry_run_names_each_version_and_says_which_cannot_come_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = write_curated(tmp_path, "evacuation-sites", evacuation_sites(5))
    ledger(
        tmp_path,
        published(version, change=change(version, None, "2026-01-01T09:00:00+09:00")),
        PublishLine(dataset="tourist-visitors-by-region", version="d" * 16, rows=24, outcome="published"),
    )
    assert main(["restore", "--dry-run", "--data", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"版 {version[:12]}" in out and "復元予定 / would restore" in out
    assert "tourist-visitors-by-region" in out and "復元できません / cannot restore" in out
    assert "復元予定 1、復元できない 1" in out and "CKANの活動履歴" in out


def test_a_lost_curated_file_is_built_again_from_the_raw_files_connect_read(tmp_path: Path) -> None:
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", csf_rows()), "a" * 64)
    run = connect_dataset("csf-wild-boar-monthly", tmp_path)
    assert run.version is not None
    layout = ledger(tmp_path, PublishLine(dataset="csf-wild-boar-monthly", version=run.version, outcome="published"))
    curated = layout.curated_file("csf-wild-boar-monthly", run.version)
    original = pq.read_table(curated)
    curated.unlink()

    assert [(p.served.dataset, p.source) for p in restore.plan(tmp_path)] == [("csf-wild-boar-monthly", "raw")]
    contract = load_published_contracts()["csf-wild-boar-monthly"]
    assert restore.curated_file(layout, contract, run.version, None) == curated
    assert pq.read_table(curated).equals(original)


def test_raw_files_that_now_build_another_version_are_refused(tmp_path: Path) -> None:
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", csf_rows()), "a" * 64)
    run = connect_dataset("csf-wild-boar-monthly", tmp_path)
    assert run.version is not None
    layout = DataLayout(tmp_path)
    layout.curated_file("csf-wild-boar-monthly", run.version).unlink()
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", csf_rows()[:-1]), "a" * 64)  # not what connect read

    contract = load_published_contracts()["csf-wild-boar-monthly"]
    with pytest.raises(CuratedDataError, match="now build version"):
        restore.curated_file(layout, contract, run.version, None)
    assert not layout.curated_file("csf-wild-boar-monthly", run.version).exists()


def test_restore_refuses_a_folder_odl_never_published_from(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["restore", "--data", str(tmp_path / "typo")]) == 2
    assert "公開の記録" in capsys.readouterr().err


# --- the drill on a disposable CKAN ----------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch() -> Iterator[ScratchCkan]:
    site = ScratchCkan(STATE_DIR, 5077, "odl_restore_ckan", "odl_restore_datastore", redis_db=7)
    site.destroy()  # what a killed earlier run left
    yield site
    site.destroy()


def publisher_on(ckan: dict[str, str], data_root: Path) -> Publisher:
    client = CkanClient(ckan["url"], ckan["api_token"], backoff_seconds=0.5)
    return Publisher(client, DatastoreLoader(ckan["datastore_write_url"]), data_root=data_root)


def seen_by_citizens(url: str) -> dict[str, Any]:
    """Per dataset, all an anonymous client sees that a restore must bring back, without ids and timestamps."""
    api = f"{url}/api/3/action"
    seen = {}
    for dataset in DATASETS:
        package = requests.get(f"{api}/package_show", params={"id": dataset}, timeout=30).json()["result"]
        resources = {r["odl_role"]: r for r in package["resources"]}
        datastore_id = resources["datastore"]["id"]
        info = requests.get(f"{api}/datastore_info", params={"id": datastore_id}, timeout=30).json()["result"]
        search = requests.get(
            f"{api}/datastore_search", params={"resource_id": datastore_id, "limit": 1000}, timeout=30
        )
        records = search.json()["result"]
        downloads = {}
        for role in ("csv", "parquet"):
            answer = requests.get(resources[role]["url"], timeout=30)
            assert answer.status_code == 200, (dataset, role, resources[role]["url"])
            downloads[role] = hashlib.sha256(answer.content).hexdigest()
        seen[dataset] = {
            "version": package["version"],
            "title": package["title"],
            "notes": package["notes"],  # with the 更新履歴 list
            "organization": package["organization"]["title"],
            "tags": sorted(t["name"] for t in package["tags"]),
            "extras": {e["key"]: e["value"] for e in package["extras"]},  # odl_changelog, published_at, rows, …
            "resources": [(r["name"], r["format"], r.get("odl_version")) for r in package["resources"]],
            # Japanese ids, types, the data dictionary, key and indexes (whose names are made from the resource id)
            "fields": [{**f, "schema": {**f["schema"], "index_name": ""}} for f in info["fields"]],
            "total": records["total"],
            "rows": [{k: v for k, v in row.items() if k != "_id"} for row in records["records"]],
            "downloads": downloads,
        }
    return seen


def modified(url: str) -> dict[str, str]:
    api = f"{url}/api/3/action/package_show"
    return {d: requests.get(api, params={"id": d}, timeout=30).json()["result"]["metadata_modified"] for d in DATASETS}


@pytest.mark.integration
def test_dropped_ckan_and_datastore_databases_come_back_with_stack_up_and_odl_restore(
    scratch: ScratchCkan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ckan = scratch.up()
    publisher = publisher_on(ckan, tmp_path)
    write_curated(tmp_path, "evacuation-sites", evacuation_sites(5, marker="v1"))
    publish_dataset(publisher, "evacuation-sites")
    write_curated(tmp_path, "evacuation-sites", evacuation_sites(7, marker="v2"))
    publish_dataset(publisher, "evacuation-sites")
    rollback_dataset(publisher, "evacuation-sites")  # CKAN serves v1 again, with three changelog entries
    write_curated(tmp_path, "tourist-visitors-by-region", visitors_by_region(3))
    publish_dataset(publisher, "tourist-visitors-by-region")
    before = seen_by_citizens(ckan["url"])
    assert len(json.loads(before["evacuation-sites"]["extras"]["odl_changelog"])) == 3
    assert before["evacuation-sites"]["total"] == 5

    scratch.drop_databases()
    lost = requests.get(f"{ckan['url']}/api/3/action/package_list", timeout=30)
    assert lost.status_code != 200 or lost.json()["result"] == []
    shutil.rmtree(STATE_DIR / "ckan-storage")  # uploaded files are lost with the server too

    back = scratch.up()  # what `scripts/stack up` runs: it finds the tables gone and initialises again
    assert back["api_token"] != ckan["api_token"]  # the old token's user is gone with the database
    assert requests.get(f"{back['url']}/api/3/action/package_list", timeout=30).json()["result"] == []

    monkeypatch.setenv("ODL_CKAN_URL", back["url"])
    monkeypatch.setenv("ODL_CKAN_API_TOKEN", back["api_token"])
    monkeypatch.setenv("ODL_DATASTORE_URL", back["datastore_write_url"])
    monkeypatch.delenv("ODL_CKAN_NAME_PREFIX", raising=False)
    capsys.readouterr()
    assert main(["restore", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("復元しました / restored") == 2 and "復元 2、変更なし 0、失敗 0" in out

    after = seen_by_citizens(back["url"])
    for dataset, seen in before.items():
        for key, value in seen.items():
            assert after[dataset][key] == value, (dataset, key)

    lines = DataLayout(tmp_path).read(PUBLISHES)
    stamps = modified(back["url"])
    assert main(["restore", "--data", str(tmp_path)]) == 0  # on a healthy catalog: nothing written
    assert "復元 0、変更なし 2、失敗 0" in capsys.readouterr().out
    assert modified(back["url"]) == stamps
    assert DataLayout(tmp_path).read(PUBLISHES) == lines
    assert seen_by_citizens(back["url"]) == before

    # The version served before was kept behind the restored one, as a publish keeps it: rollback works.
    rollback_dataset(publisher_on(back, tmp_path), "evacuation-sites")
    assert seen_by_citizens(back["url"])["evacuation-sites"]["total"] == 7


@pytest.mark.integration
def test_stack_up_brings_back_a_lost_datastore_database_on_its_own(scratch: ScratchCkan) -> None:
    """With CKAN's own database kept, CKAN answers and the token works: `up` must look at the DataStore too."""
    ckan = scratch.up()

    def sql_answer() -> requests.Response:
        params = {"sql": "SELECT 1 AS one"}
        return requests.get(f"{ckan['url']}/api/3/action/datastore_search_sql", params=params, timeout=30)

    assert sql_answer().status_code == 200
    run_sql(f'DROP DATABASE "{scratch.datastore_db}" WITH (FORCE)')
    assert sql_answer().status_code == 500

    assert scratch.up()["api_token"] == ckan["api_token"]  # CKAN's own database, and its users, were kept
    assert sql_answer().json()["result"]["records"] == [{"one": 1}]
