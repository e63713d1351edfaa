"""The Open Data Library page: signed-in users only, and only report files leave the data root."""

import json
from pathlib import Path

import pytest
from airflow.api_fastapi.core_api.security import get_user
from fastapi.testclient import TestClient

from odl_airflow import library_plugin


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    report = tmp_path / "quarantine" / "agriculture" / "20261201_ab_豚熱.csv" / "report.html"
    report.parent.mkdir(parents=True)
    report.write_text("<p>3行目「市町名」</p>", encoding="utf-8")
    (report.parent / "豚熱.csv").write_text("検体番号\n", encoding="utf-8")
    ledger = tmp_path / "ledger" / "submissions.jsonl"
    ledger.parent.mkdir()
    record = {
        "department": "agriculture",
        "original_name": "豚熱.csv",
        "received_at": "2026-12-01T09:00:00+00:00",
        "dataset": "csf-wild-boar",
        "outcome": "rejected",
        "errors": 1,
        "report_path": str(report),
    }
    ledger.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    library_plugin.app.dependency_overrides[get_user] = lambda: object()
    yield TestClient(library_plugin.app)
    library_plugin.app.dependency_overrides.clear()


def test_page_lists_datasets_and_links_the_rejected_report(client: TestClient) -> None:
    page = client.get("/").text
    assert "オープンデータライブラリ" in page and "豚熱 野生いのしし 検査結果（市町別・月別）" in page
    href = "reports/quarantine/agriculture/20261201_ab_豚熱.csv/report.html"
    assert f'<a href="{href}">確認結果レポート</a>' in page
    assert client.get(f"/{href}").text == "<p>3行目「市町名」</p>"


def test_only_report_files_under_the_data_root_are_served(client: TestClient, tmp_path: Path) -> None:
    assert client.get("/reports/quarantine/agriculture/20261201_ab_豚熱.csv/豚熱.csv").status_code == 404
    assert client.get("/reports/ledger/submissions.jsonl").status_code == 404
    assert client.get("/reports/").status_code == 404  # the data root itself
    # An HTML file outside the data root, reached by .. or by a symlink inside a served folder.
    outside = tmp_path.parent / f"{tmp_path.name}-outside.html"
    outside.write_text("secret", encoding="utf-8")
    assert client.get(f"/reports/quarantine/..%2F..%2F{outside.name}").status_code == 404
    (tmp_path / "quarantine" / "link.html").symlink_to(outside)
    assert client.get("/reports/quarantine/link.html").status_code == 404
    assert library_plugin.report_href(str(outside)) is None
    assert library_plugin.report_href(str(tmp_path / "quarantine" / "link.html")) is None


def test_status_json_gives_each_dataset_its_stage(client: TestClient) -> None:
    status = client.get("/status.json").json()
    assert {d["id"]: d["stage"] for d in status["datasets"]}["csf-wild-boar"] == "waiting"
    assert [r["file"] for r in status["rejections"]] == ["豚熱.csv"]


def test_without_a_signed_in_user_the_page_is_refused() -> None:
    assert TestClient(library_plugin.app).get("/").status_code == 401
