"""The CKAN half of `scripts/stack up`: DataStore on, read-only role, idempotent and fast the second time."""

import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from ckanapi import RemoteCKAN

from scripts import processes, stack_ckan, stack_nginx
from scripts.services import port_open
from tests.ckan.conftest import STATE_DIR

pytestmark = pytest.mark.integration


def test_status_show_lists_datastore(anonymous: RemoteCKAN) -> None:
    status = anonymous.action.status_show()
    assert {"datastore", "odl_search"} <= set(status["extensions"])
    assert status["ckan_version"] == "2.11.6"


def test_state_files_are_private(ckan_stack: dict[str, str]) -> None:
    for name in ("ckan.ini", "ckan.json", "ckan-secrets.json", "pids/ckan.pid", "pids/nginx.pid", "nginx/odl.conf"):
        assert (STATE_DIR / name).stat().st_mode & 0o777 == 0o600, name


def test_datastore_create_and_search_sql_with_japanese_columns(
    sysadmin: RemoteCKAN, anonymous: RemoteCKAN, catalog: dict[str, Any]
) -> None:
    resource_id = catalog["datasets"]["hinan"]["resources"][0]["id"]
    sysadmin.action.datastore_create(
        resource_id=resource_id,
        force=True,
        primary_key=["施設名"],
        fields=[
            {"id": "施設名", "type": "text", "info": {"label": "施設名", "notes": "指定緊急避難場所の名称"}},
            {"id": "市町名", "type": "text"},
            {"id": "収容人数", "type": "int"},
        ],
        records=[
            {"施設名": "津市立南が丘小学校", "市町名": "津市", "収容人数": 500},
            {"施設名": "津市産業・スポーツセンター", "市町名": "津市", "収容人数": 1200},
            {"施設名": "四日市ドーム", "市町名": "四日市市", "収容人数": 3000},
        ],
    )
    result = anonymous.action.datastore_search_sql(
        sql=f'SELECT "施設名", "収容人数" FROM "{resource_id}" WHERE "市町名" = \'津市\' ORDER BY "収容人数" DESC'
    )
    assert [(row["施設名"], row["収容人数"]) for row in result["records"]] == [
        ("津市産業・スポーツセンター", 1200),
        ("津市立南が丘小学校", 500),
    ]
    found = anonymous.action.datastore_search(resource_id=resource_id, filters={"市町名": "四日市市"})
    assert [row["施設名"] for row in found["records"]] == ["四日市ドーム"]
    assert sysadmin.action.resource_show(id=resource_id)["datastore_active"] is True


def test_uploaded_file_is_stored_and_served(sysadmin: RemoteCKAN, catalog: dict[str, Any], tmp_path: Path) -> None:
    content = "施設名,収容人数\n津市体育館,1200\n".encode("cp932")
    upload = tmp_path / "避難場所.csv"
    upload.write_bytes(content)
    with upload.open("rb") as handle:
        resource = sysadmin.action.resource_create(
            package_id=catalog["datasets"]["tsu"]["id"], name="アップロード", format="CSV", upload=handle
        )
    assert resource["url_type"] == "upload"
    with urllib.request.urlopen(resource["url"], timeout=10) as response:
        assert response.read() == content
    assert list((STATE_DIR / "ckan-storage" / "resources").rglob("*"))


def test_datastore_read_role_cannot_write(ckan_stack: dict[str, str]) -> None:
    attempt = subprocess.run(
        ["psql", ckan_stack["datastore_read_url"], "-qc", "CREATE TABLE odl_should_not_exist (x int)"],
        capture_output=True,
        text=True,
    )
    assert attempt.returncode != 0 and "permission denied" in attempt.stderr


def test_second_up_is_quick_and_returns_the_same_token(ckan_stack: dict[str, str]) -> None:
    started = time.perf_counter()
    again = stack_ckan.up(STATE_DIR)
    assert time.perf_counter() - started < 30
    assert again == ckan_stack
    assert any("running, pid" in line for line in stack_ckan.status(STATE_DIR))


def _process_group(pgid: int) -> set[int]:
    return {
        int(proc.name) for proc in Path("/proc").iterdir() if proc.name.isdigit() and processes._pgid_of(proc) == pgid
    }


def test_down_stops_what_it_started_and_up_again_reuses_everything(ckan_stack: dict[str, str]) -> None:
    """Runs last here: a restart from the state folder, skipping init, with the same token."""
    services = (stack_ckan.SERVICE, stack_ckan.HEAVY_SERVICE, stack_nginx.SERVICE)  # both pools and the front door
    started_here: set[int] = set()
    for service in services:
        pid = processes.running_pid(STATE_DIR / "pids" / f"{service}.pid")
        assert pid is not None, service
        started_here |= _process_group(pid)
    assert len(started_here) >= 6  # each gunicorn master and its workers, nginx's master and worker
    stack_ckan.down(STATE_DIR)
    assert not [p for p in started_here if Path(f"/proc/{p}").exists() and not processes._is_zombie(Path(f"/proc/{p}"))]
    for port in (stack_ckan.PORT, stack_ckan.LIGHT_PORT, stack_ckan.HEAVY_PORT):
        assert not port_open(port), port
    for service in services:
        assert not (STATE_DIR / "pids" / f"{service}.pid").exists(), service

    again = stack_ckan.up(STATE_DIR)  # skips init: the databases, sysadmin and token are reused
    assert again == ckan_stack
    assert RemoteCKAN(again["url"], apikey=again["api_token"]).action.api_token_list(user_id=again["sysadmin"])


def test_cc_by_4_0_is_an_open_license_with_a_japanese_title(anonymous: RemoteCKAN) -> None:
    licenses = {license["id"]: license for license in anonymous.action.license_list()}
    assert licenses["cc-by-4.0"]["title"] == "クリエイティブ・コモンズ 表示 4.0 国際 (CC BY 4.0)"
    assert licenses["cc-by-4.0"]["od_conformance"] == "approved"
    assert "pdl-1.0" in licenses


def test_a_changed_template_restarts_ckan_on_the_next_up(ckan_stack: dict[str, str], tmp_path: Path) -> None:
    pid = processes.running_pid(STATE_DIR / "pids" / f"{stack_ckan.SERVICE}.pid")
    ini = STATE_DIR / "ckan.ini"
    ini.write_text(ini.read_text(encoding="utf-8") + "\n# stale\n", encoding="utf-8")  # as if the template moved on
    assert stack_ckan.up(STATE_DIR) == ckan_stack
    assert processes.running_pid(STATE_DIR / "pids" / f"{stack_ckan.SERVICE}.pid") not in (None, pid)
    assert "# stale" not in ini.read_text(encoding="utf-8")
