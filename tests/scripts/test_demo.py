"""`make demo` end to end on the embedded stack, then the pages a person would look at, in a real browser.

Runs the demo as a user does (scripts/demo.py on the real data root), checks what it
printed against CKAN, pastes its API calls into a shell as they are, runs it a second
time (quick, changes nothing), and takes screenshots of the Open Data Library page and
a CKAN dataset page with headless Chromium (saved under artifacts/screenshots/).
Those need the running stack (integration); how the demo submits its samples does not.
"""

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from scripts.demo import submit_samples
from tests.catalog.test_dataset_folders import copy_of_evacuation_sites
from tests.scripts import chromium
from transforms.contracts import SourceContract, load_departments, load_published_contracts, load_source_contracts
from transforms.data_layout import SUBMISSIONS, DataLayout
from transforms.reference import load_municipalities
from transforms.samples import sample_of
from transforms.store import SIDECAR_SUFFIX, inbox_files, process_inbox_file

integration = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
DEMO_TIMEOUT = 900


def sample_files(contract: SourceContract) -> list[str]:
    """department/file for each sample the dataset's folder writes."""
    sample = sample_of(contract)
    return [f"{contract.department}/{name}" for name in (sample.EXPECTED if sample else {})]


def inboxed(data_root: Path) -> dict[str, str | None]:
    """What waits in the inboxes: department/file → the dataset its sidecar names, None without one."""
    found = {}
    for department in load_departments():
        for path in inbox_files(department, data_root):
            sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
            found[f"{department}/{path.name}"] = (
                json.loads(sidecar.read_text())["dataset"] if sidecar.exists() else None
            )
    return found


def store_inboxes(data_root: Path) -> None:
    """The store step, as its DAG runs it: every inbox file archived, checked and filed."""
    contracts, departments, municipalities = load_source_contracts(), load_departments(), load_municipalities()
    for department in departments.values():
        for path in inbox_files(department.id, data_root):
            process_inbox_file(path, department, contracts, municipalities, data_root)


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of catalog/ the demo reads; ODL_DATA_ROOT points where submit_samples(data_root) must not write."""
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO_ROOT / "catalog", catalog)
    monkeypatch.setenv("ODL_CATALOG_DIR", str(catalog))  # make_samples.py, run as a subprocess, reads it too
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path / "elsewhere"))
    return catalog


def add_designated_shelters(catalog: Path, scratch: Path) -> None:
    """A copy of evacuation-sites with only its id, title and file patterns changed, as a newcomer adds one."""
    shutil.copytree(
        copy_of_evacuation_sites(scratch, "designated-shelters"), catalog / "datasets" / "designated-shelters"
    )


def test_samples_of_a_copied_folder_go_in_naming_it_and_a_second_call_submits_nothing(
    catalog: Path, tmp_path: Path
) -> None:
    add_designated_shelters(catalog, tmp_path / "scratch")
    contracts, data_root = load_source_contracts(), tmp_path / "data"
    originals = [
        name
        for contract in contracts.values()
        if contract.id != "designated-shelters"
        for name in sample_files(contract)
    ]
    copies = sample_files(contracts["designated-shelters"])
    assert submit_samples(data_root) == len(originals) + len(copies)
    # The copy writes the same file names into the same inbox, so one of each pair is renamed (…_1.csv).
    sidecars = list(inboxed(data_root).values())
    assert sidecars.count(None) == len(originals) and sidecars.count("designated-shelters") == len(copies)
    store_inboxes(data_root)
    assert submit_samples(data_root) == 0
    assert not (tmp_path / "elsewhere").exists()


def test_already_received_is_per_dataset(catalog: Path, tmp_path: Path) -> None:
    data_root = tmp_path / "data"
    originals = {name: None for contract in load_source_contracts().values() for name in sample_files(contract)}

    # The first demo: every sample found by its file patterns, so no sidecar.
    assert submit_samples(data_root) == len(originals)
    assert inboxed(data_root) == originals
    store_inboxes(data_root)

    # A folder copied from evacuation-sites writes the same files, which its patterns do not match:
    # they go in naming the copy, though the same bytes were already received for evacuation-sites.
    add_designated_shelters(catalog, tmp_path / "scratch")
    copies = {name: "designated-shelters" for name in sample_files(load_source_contracts()["designated-shelters"])}
    assert submit_samples(data_root) == len(copies)
    assert inboxed(data_root) == copies
    store_inboxes(data_root)

    assert submit_samples(data_root) == 0
    assert inboxed(data_root) == {}
    received = [submission.dataset for submission in DataLayout(data_root).read(SUBMISSIONS)]
    assert received.count("designated-shelters") == len(copies) and len(received) == len(originals) + len(copies)


def run_demo() -> tuple[str, float]:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "demo.py")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed.stdout, time.perf_counter() - started


@pytest.fixture(scope="module")
def demo() -> str:
    return run_demo()[0]


@pytest.fixture(scope="module")
def stack_info(demo: str) -> dict[str, Any]:
    state = REPO_ROOT / "state"
    ckan = json.loads((state / "ckan.json").read_text())
    password = json.loads((state / "airflow-passwords.json").read_text())["admin"]
    return {"ckan_url": ckan["url"], "airflow_url": "http://127.0.0.1:8080", "login": "admin", "password": password}


def ckan(stack_info: dict[str, Any], action: str, **params: Any) -> Any:
    response = requests.get(f"{stack_info['ckan_url']}/api/3/action/{action}", params=params, timeout=30)
    response.raise_for_status()
    return response.json()["result"]


@integration
def test_every_published_dataset_is_printed_with_the_rows_ckan_serves(demo: str, stack_info: dict[str, Any]) -> None:
    for dataset in load_published_contracts():
        match = re.search(rf"^\s+{re.escape(dataset)}\s+([\d,]+) rows", demo, re.MULTILINE)
        assert match, f"{dataset} is not listed as published:\n{demo}"
        rows = int(match.group(1).replace(",", ""))
        assert rows > 0
        resource = next(r for r in ckan(stack_info, "package_show", id=dataset)["resources"] if r["datastore_active"])
        assert ckan(stack_info, "datastore_search", resource_id=resource["id"], limit=0)["total"] == rows


@integration
def test_each_department_has_a_rejected_sample_with_a_report(demo: str) -> None:
    section = demo.split("Rejected submissions", 1)[1].split("Try the API", 1)[0]
    reports = re.findall(r"→ (\S+report\.html)", section)
    assert {"防災対策部", "観光部", "農林水産部"} <= {
        line.split()[0] for line in section.splitlines()[1:] if line.strip()
    }
    assert reports and all(Path(report).is_file() for report in reports)


@integration
def test_printed_api_calls_work_when_pasted(demo: str) -> None:
    commands = [line.strip() for line in demo.splitlines() if line.strip().startswith("curl ")]
    assert [c.split("/api/3/action/")[1].split()[0].strip("'") for c in commands] == [
        "package_search",
        "datastore_search",
        "datastore_search",
        "datastore_search_sql",
        "odl_record_search",
    ]
    for command in commands:
        output = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60).stdout
        body = json.loads(output)
        assert body["success"] is True, command
        result = body["result"]
        found = result.get("results") or result.get("records") or result.get("datasets")
        assert found, f"{command} found nothing"


@integration
def test_second_demo_is_quick_and_changes_nothing(demo: str, stack_info: dict[str, Any]) -> None:
    datasets = list(load_published_contracts())
    before = {d: ckan(stack_info, "package_show", id=d)["metadata_modified"] for d in datasets}
    ledger = REPO_ROOT / "data" / "ledger" / "submissions.jsonl"
    ledger_before = ledger.read_text(encoding="utf-8")
    output, seconds = run_demo()
    assert seconds < 120, output
    assert "→ data/inbox/" not in output  # nothing submitted again
    assert ledger.read_text(encoding="utf-8") == ledger_before
    assert {d: ckan(stack_info, "package_show", id=d)["metadata_modified"] for d in datasets} == before


@pytest.fixture(scope="module")
def browser(demo: str) -> Iterator[chromium.Browser]:
    if not chromium.ensure_installed():
        pytest.skip("Chromium and chromedriver are not installed and cannot be installed here (needs root and apt)")
    session = chromium.Browser()
    yield session
    session.close()


@integration
def test_library_page_shows_every_dataset_published(browser: chromium.Browser, stack_info: dict[str, Any]) -> None:
    token = requests.post(
        f"{stack_info['airflow_url']}/auth/token",
        json={"username": stack_info["login"], "password": stack_info["password"]},
        timeout=30,
    ).json()["access_token"]
    browser.open(f"{stack_info['airflow_url']}/api/v2/version")  # the cookie belongs to the Airflow site
    browser.add_cookie("_token", token)
    # As an engineer finds it: the Airflow UI with the page in its navigation.
    browser.open(f"{stack_info['airflow_url']}/plugin/open-data-library")
    time.sleep(3)  # the UI is a single-page app that loads the plugin list, then the frame
    browser.screenshot(SCREENSHOTS / "airflow-open-data-library.png")
    assert "Open Data Library / オープンデータライブラリ" in browser.visible_text()
    browser.open(f"{stack_info['airflow_url']}/odl/")
    browser.screenshot(SCREENSHOTS / "open-data-library.png")
    text = browser.visible_text()
    assert "オープンデータライブラリ" in text
    for contract in load_published_contracts().values():
        assert contract.title in text
    assert text.count("公開中") == len(load_published_contracts())
    assert "差し戻した提出ファイル" in text and "確認結果レポート" in text


@integration
def test_ckan_dataset_page_shows_the_data_and_its_resources(
    browser: chromium.Browser, stack_info: dict[str, Any]
) -> None:
    browser.open(f"{stack_info['ckan_url']}/dataset/csf-wild-boar-monthly")
    browser.screenshot(SCREENSHOTS / "ckan-csf-wild-boar-monthly.png")
    text = browser.visible_text()
    assert "豚熱 野生いのしし 検査結果（市町別・月別）" in text
    assert "CSV" in text and "農林水産部" in text
