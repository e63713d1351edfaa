"""Issue 15's load and abuse step: outcomes, the summary of Locust's requests, the report, and one short run.

The short run is Locust for real against the running stack (and the stock twin the step starts), on a
public dataset made for it; Locust runs in its own process (gevent patches the process that imports it).
"""

import io
import json
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ckanapi import RemoteCKAN

from bench import load_test, report
from bench.load_test import (
    ABUSER,
    CITIZEN,
    CONNECTION,
    OK,
    RATE_LIMITED,
    REFUSED,
    SERVER_ERROR,
    TIMEOUT,
    Catalog,
    Request,
    Table,
    outcome,
    summarise,
)
from tests.ckan.conftest import ckan_stack, sysadmin  # noqa: F401  (fixtures)

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_outcome_tells_rate_limits_refusals_server_errors_and_no_answer_apart() -> None:
    assert outcome(200) == OK
    assert outcome(302) == OK
    assert outcome(429) == RATE_LIMITED
    assert outcome(409) == REFUSED  # CKAN's "Query took too long", a cap on offset
    assert outcome(404) == REFUSED
    assert outcome(502) == SERVER_ERROR
    assert outcome(0, "ReadTimeout") == TIMEOUT
    assert outcome(0, "ConnectTimeout") == TIMEOUT
    assert outcome(0, "ConnectionError") == CONNECTION


def _requests(role: str, milliseconds: list[float], outcomes: list[str] | None = None) -> list[Request]:
    kinds = outcomes or [OK] * len(milliseconds)
    return [
        Request(role, "package_show", 1000.0 + i * 0.01, ms, kind)
        for i, (ms, kind) in enumerate(zip(milliseconds, kinds, strict=True))
    ]


def test_summary_percentiles_are_nearest_rank_over_every_request_of_the_role() -> None:
    times = [float(ms) for ms in range(1, 101)]  # 1 … 100 ms
    row = summarise(_requests(CITIZEN, times) + _requests(ABUSER, [90_000.0] * 50), CITIZEN, 1000.0, 10)
    assert (row["p50_ms"], row["p95_ms"], row["p99_ms"], row["max_ms"]) == (50.0, 95.0, 99.0, 100.0)
    assert row["requests"] == 100
    assert row["requests_per_s"] == 10.0
    assert row["calls"] == {"package_show": {"requests": 100, "p95_ms": 95.0, "errors": 0}}


def test_a_429_to_a_citizen_is_an_error_and_every_kind_is_counted() -> None:
    kinds = [OK, RATE_LIMITED, RATE_LIMITED, TIMEOUT, SERVER_ERROR, OK]
    row = summarise(_requests(CITIZEN, [10.0] * 6, kinds), CITIZEN, 1000.0, 60)
    assert row["errors"] == 4
    assert row["errors_by_kind"] == {RATE_LIMITED: 2, SERVER_ERROR: 1, TIMEOUT: 1}
    assert row["calls"]["package_show"]["errors"] == 4


def test_answers_after_the_run_count_in_the_percentiles_but_not_in_the_throughput() -> None:
    on_time = Request(CITIZEN, "package_show", 1000.0, 100.0, OK)
    late = Request(CITIZEN, "package_show", 1005.0, 30_000.0, TIMEOUT)  # ends at 1035, the run at 1010
    row = summarise([on_time, late], CITIZEN, 1000.0, 10)
    assert row["requests"] == 2
    assert row["requests_per_s"] == 0.1
    assert row["p99_ms"] == 30_000.0


def test_a_role_without_requests_has_no_percentiles() -> None:
    row = summarise([], ABUSER, 1000.0, 60)
    assert (row["requests"], row["p95_ms"], row["errors"]) == (0, None, 0)


def test_japanese_words_are_substrings_of_the_texts_and_reproducible() -> None:
    texts = ["指定緊急避難場所一覧", "AED設置場所", "観光"]
    words = load_test.japanese_words(texts, 10)
    assert words == load_test.japanese_words(texts, 10)
    assert len(words) == 10
    assert all(2 <= len(w) <= 3 and any(w in text for text in texts) for w in words)
    assert not any("A" in w for w in words)


def test_catalog_survives_its_json_form() -> None:
    catalog = Catalog(["a", "b"], ["避難"], [Table("r1", 10, [{"名称": "津"}], ["小学"]), Table("r2", 99)], ["/x.csv"])
    again = Catalog.from_json(catalog.to_json())
    assert again == catalog
    assert again.largest_table == "r2"


def test_stock_ini_drops_limit_settings_and_serves_on_its_own_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import ckan_side

    (tmp_path / "ckan.ini").write_text(
        "[app:main]\nckan.site_url = http://127.0.0.1:5000\n"
        "ckan.plugins = activity datastore odl_search odl_datastore odl_api_limits\n"
        "ckanext.odl.api.sql_timeout_ms = 5000\nckanext.odl.api.offset_max = 100000\n"
        "ckan.datastore.search.rows_max = 1000\nckan.datastore.sqlsearch.enabled = true\n"
        "USE_X_SENDFILE = true\nckan.auth.public_user_details = false\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(ckan_side, "STATE", tmp_path)
    path, removed = load_test.stock_ini(tmp_path / "work", 5091)
    text = path.read_text(encoding="utf-8")
    assert "ckan.site_url = http://127.0.0.1:5091" in text
    assert "ckan.plugins = activity datastore odl_search odl_datastore\n" in text
    assert "ckan.datastore.sqlsearch.enabled = true" in text
    assert "ckan.auth.public_user_details = false" in text
    assert removed == [
        "odl_api_limits",
        "ckanext.odl.api.sql_timeout_ms",
        "ckanext.odl.api.offset_max",
        "ckan.datastore.search.rows_max",
        "USE_X_SENDFILE",
    ]


def test_stock_ini_turns_off_every_limit_the_stack_template_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import ckan_side

    template = (REPO_ROOT / "ckan" / "ckan.ini.template").read_text(encoding="utf-8")
    (tmp_path / "ckan.ini").write_text(template, encoding="utf-8")
    monkeypatch.setattr(ckan_side, "STATE", tmp_path)
    text = load_test.stock_ini(tmp_path / "work", 5091)[0].read_text(encoding="utf-8")
    settings = [line.split("=")[0].strip() for line in text.splitlines() if "=" in line and not line.startswith("#")]
    assert not [
        key for key in settings if key.startswith("ckanext.odl.api.") or key == "ckan.datastore.search.rows_max"
    ]
    plugins = next(line for line in text.splitlines() if line.startswith("ckan.plugins"))
    assert "limit" not in plugins and "odl_datastore" in plugins


# ---- the report


def _run(system: str, abusers: int, rps: float, p95: float, errors: int) -> dict[str, Any]:
    citizen = {
        "requests": 1000,
        "requests_per_s": rps,
        "p50_ms": 20.0,
        "p95_ms": p95,
        "p99_ms": p95 * 2,
        "max_ms": p95 * 3,
        "errors": errors,
        "errors_by_kind": {RATE_LIMITED: errors} if errors else {},
        "calls": {"package_show": {"requests": 1000, "p95_ms": p95, "errors": errors}},
    }
    abuser = {"requests": 500, "errors": 450, "errors_by_kind": {RATE_LIMITED: 450}, "p50_ms": 1.0} if abusers else None
    return {"system": system, "citizens": 50, "abusers": abusers, "citizen": citizen, "abuser": abuser}


def _load(front_with_abusers: dict[str, Any]) -> dict[str, Any]:
    return {
        "seconds": 60,
        "citizens": 50,
        "abusers": 10,
        "runs": [
            _run(load_test.FRONT_DOOR, 0, 20.0, 40.0, 0),
            front_with_abusers,
            _run(load_test.STOCK, 0, 20.0, 45.0, 0),
            _run(load_test.STOCK, 10, 4.0, 30_000.0, 80),
        ],
    }


def test_load_targets_are_met_when_citizens_keep_their_pace_and_see_no_error() -> None:
    targets = report.load_targets(_load(_run(load_test.FRONT_DOOR, 10, 17.0, 120.0, 0)))
    assert [(t["measured"], t["met"]) for t in targets] == [(120.0, True), (0, True), (0.85, True)]


def test_load_targets_miss_on_a_slow_p95_a_citizen_429_or_lost_throughput() -> None:
    targets = report.load_targets(_load(_run(load_test.FRONT_DOOR, 10, 15.0, 501.0, 1)))
    assert [(t["measured"], t["met"]) for t in targets] == [(501.0, False), (1, False), (0.75, False)]


def test_load_targets_are_unmeasured_without_the_runs() -> None:
    assert [t["met"] for t in report.load_targets({"runs": []})] == [None, None, None]


def test_load_table_is_rendered_under_its_heading_with_both_systems() -> None:
    load = _load(_run(load_test.FRONT_DOOR, 10, 17.0, 120.0, 0)) | {"conditions": ["load average 1.2"]}
    lines = report.render_load(load)
    text = "\n".join(lines)
    assert "## Load and abuse (issue 15)" in text
    assert text.count(f"| {load_test.FRONT_DOOR} |") == 2 and text.count(f"| {load_test.STOCK} |") == 2
    assert "429 rate limited 80" in text
    assert "load average 1.2" in text
    assert "| package_show | 40.0 | 120.0 | 45.0 | 30000.0 (80) |" in text


def test_machine_cpu_busy_share_counts_everything_but_idle_and_iowait() -> None:
    assert load_test.busy_percent((100, 1000), (400, 2000)) == 30.0
    assert load_test.busy_percent((100, 1000), (100, 1000)) is None
    busy, every = load_test.cpu_ticks()
    assert 0 < busy < every


# ---- one short run for real


@pytest.fixture(scope="module")
def public_dataset(sysadmin: RemoteCKAN) -> Iterator[str]:  # noqa: F811
    """A public dataset with a DataStore table of Japanese rows and a CSV file, as the demo's look."""
    run = uuid.uuid4().hex[:8]
    organization = sysadmin.action.organization_create(name=f"odl-test-load-{run}", title=f"負荷試験{run}")
    name = f"odl-test-load-{run}"
    package = sysadmin.action.package_create(
        name=name,
        title="津市の指定避難所一覧（負荷試験）",
        owner_org=organization["id"],
        tags=[{"name": "防災"}, {"name": "避難所"}],
    )
    places = ["津市立南が丘小学校", "鳥羽市民体育館", "伊勢市観光文化会館", "四日市市中央公民館"]
    sysadmin.action.datastore_create(
        resource={"package_id": package["id"], "name": "避難所（DataStore）"},
        fields=[{"id": "名称", "type": "text"}, {"id": "市町", "type": "text"}, {"id": "定員", "type": "int"}],
        records=[{"名称": p, "市町": p[:3], "定員": 100 + i} for i, p in enumerate(places * 10)],
    )
    csv = "名称,市町\n" + "\n".join(f"{p},{p[:3]}" for p in places) + "\n"
    sysadmin.call_action(
        "resource_create",
        {"package_id": package["id"], "name": "避難所（CSV）", "format": "CSV"},
        files={"upload": ("hinan.csv", io.BytesIO(csv.encode("utf-8")))},
    )
    yield name
    for resource in sysadmin.action.package_show(id=name)["resources"]:
        if resource.get("datastore_active"):
            sysadmin.action.datastore_delete(resource_id=resource["id"], force=True)
    sysadmin.action.dataset_purge(id=name)
    sysadmin.action.organization_purge(id=organization["id"])


@pytest.mark.integration
def test_a_short_run_against_the_stack_and_the_stock_twin_reports_every_field(
    ckan_stack: dict[str, str],  # noqa: F811
    public_dataset: str,
) -> None:
    command = [
        sys.executable,
        "-m",
        "bench.load_test",
        "--url",
        ckan_stack["url"],
        "--seconds",
        "4",
        "--citizens",
        "3",
        "--abusers",
        "1",
        "--datasets",
        public_dataset,
    ]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["catalog"] == {"datasets": 1, "tables": 1, "downloads": 1, "words": 20}
    runs = [(run["system"], run["abusers"]) for run in result["runs"]]
    assert runs == [(load_test.FRONT_DOOR, 0), (load_test.FRONT_DOOR, 1), (load_test.STOCK, 0), (load_test.STOCK, 1)]
    for run in result["runs"]:
        citizen = run["citizen"]
        assert citizen["requests"] > 0, run
        assert {"requests_per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "errors_by_kind"} <= citizen.keys()
        assert citizen["p50_ms"] <= citizen["p95_ms"] <= citizen["p99_ms"]
        if run["abusers"]:
            assert run["abuser"]["requests"] > 0
    assert "## Load and abuse (issue 15)" in report.render_load(result)


@pytest.mark.integration
def test_the_front_door_runs_stand_when_the_stock_twin_cannot_start_and_abusers_do_only_what_is_asked(
    ckan_stack: dict[str, str],  # noqa: F811
    public_dataset: str,
) -> None:
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the last run's connections may linger
        taken.bind(("127.0.0.1", load_test.STOCK_PORT))
        taken.listen()
        result = load_test.measure(
            ckan_stack["url"], [public_dataset], seconds=3, citizens=2, abusers=1, abuse=("burst",)
        )

    assert [run["system"] for run in result["runs"]] == [load_test.FRONT_DOOR, load_test.FRONT_DOOR]
    assert list(result["runs"][1]["abuser"]["calls"]) == ["abuse: package_show burst"]  # only what was asked
    assert f"{load_test.STOCK_PORT} is taken" in result["stock_failure"]
    rendered = "\n".join(report.render_load(result))
    assert "CKAN as it was could not be measured" in rendered
    assert "Abusers limited to: burst" in rendered
