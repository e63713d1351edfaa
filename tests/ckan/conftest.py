"""CKAN through its real HTTP API: the stack's CKAN half, brought up once per session if it is not up."""

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from ckanapi import NotFound, RemoteCKAN
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from scripts import processes, stack_ckan

STATE_DIR = Path(__file__).resolve().parents[2] / "state"


@pytest.fixture(scope="session")
def ckan_stack() -> Iterator[dict[str, str]]:
    """The running CKAN (url, api_token, …). Stopped at the end only if this session started it."""
    was_running = processes.running_pid(STATE_DIR / "pids" / f"{stack_ckan.SERVICE}.pid") is not None
    yield stack_ckan.up(STATE_DIR)
    if not was_running:
        stack_ckan.down(STATE_DIR)


@pytest.fixture(scope="session")
def sysadmin(ckan_stack: dict[str, str]) -> RemoteCKAN:
    return RemoteCKAN(ckan_stack["url"], apikey=ckan_stack["api_token"])


def citizen(url: str) -> RemoteCKAN:
    """An anonymous client that behaves as the front door asks: after a 429 it waits Retry-After and asks again.

    Anonymous callers are rate-limited per address (20 requests/s, bursts of 60) and a test that sends
    hundreds of searches from 127.0.0.1 meets that limit, as a well-behaved script would.
    """
    session = requests.Session()
    waits_out_429 = Retry(total=20, status_forcelist=[429], allowed_methods=None, respect_retry_after_header=True)
    session.mount("http://", HTTPAdapter(max_retries=waits_out_429))
    return RemoteCKAN(url, session=session)


@pytest.fixture(scope="session")
def anonymous(ckan_stack: dict[str, str]) -> RemoteCKAN:
    return citizen(ckan_stack["url"])


@pytest.fixture(scope="module")
def catalog(sysadmin: RemoteCKAN) -> Iterator[dict[str, Any]]:
    """One organization with three datasets (one private), unique to this run and purged afterwards."""
    run = uuid.uuid4().hex[:8]
    organization = sysadmin.action.organization_create(name=f"odl-test-bousai-{run}", title=f"防災対策部テスト{run}")
    specs = {
        "hinan": ("指定緊急避難場所一覧", ["防災", "避難所"], "CSV", "cc-by", False),
        "tsu": ("津市観光案内所一覧", ["観光"], "XLSX", "odc-odbl", False),
        "secret": ("非公開の備蓄倉庫一覧", ["防災"], "CSV", "cc-by", True),
    }
    datasets = {}
    for key, (title, tags, file_format, license_id, private) in specs.items():
        datasets[key] = sysadmin.action.package_create(
            name=f"odl-test-{key}-{run}",
            title=title,
            notes=f"{title}（テスト {run}）",
            owner_org=organization["id"],
            license_id=license_id,
            private=private,
            tags=[{"name": tag} for tag in tags],
            resources=[{"name": f"{title} データ", "url": f"http://example.invalid/{key}.csv", "format": file_format}],
        )
    yield {"run": run, "organization": organization, "datasets": datasets}
    for dataset in datasets.values():
        with contextlib.suppress(NotFound):  # a test may have purged it already
            sysadmin.action.dataset_purge(id=dataset["id"])
    sysadmin.action.organization_purge(id=organization["id"])


@pytest.fixture(scope="session")
def other_org_editor(sysadmin: RemoteCKAN, ckan_stack: dict[str, str]) -> Iterator[RemoteCKAN]:
    """An editor of an organization of its own (no other), signed in with an API token: "another organization"."""
    run = uuid.uuid4().hex[:8]
    organization = sysadmin.action.organization_create(name=f"odl-test-other-{run}", title=f"他の部テスト{run}")
    name = f"odl-test-editor-{run}"
    sysadmin.action.user_create(name=name, email=f"{name}@example.invalid", password=uuid.uuid4().hex)
    sysadmin.action.organization_member_create(id=organization["id"], username=name, role="editor")
    token = sysadmin.action.api_token_create(user=name, name="odl-test")["token"]
    yield RemoteCKAN(ckan_stack["url"], apikey=token)
    sysadmin.action.user_delete(id=name)
    sysadmin.action.organization_purge(id=organization["id"])
