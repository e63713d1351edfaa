"""The CKAN client retries what may pass (no connection, 5xx), not what will not, and never shows the token."""

import logging
from pathlib import Path

import pytest
import requests
import requests_mock

from transforms.publish.ckan_client import CkanClient, CkanError, CkanUnavailable, redact

URL = "http://ckan.test"
TOKEN = "secret-token-abc123"
ACTION = f"{URL}/api/action/package_show"


def client(**options: object) -> tuple[CkanClient, list[float]]:
    slept: list[float] = []
    return CkanClient(URL, TOKEN, sleep=slept.append, **options), slept  # type: ignore[arg-type]


def test_connection_errors_and_5xx_are_retried_with_growing_backoff() -> None:
    ckan, slept = client(backoff_seconds=1.0)
    with requests_mock.Mocker() as mock:
        mock.post(
            ACTION,
            [
                {"exc": requests.ConnectionError("refused")},
                {"status_code": 502, "text": "<html>Bad Gateway</html>"},
                {"status_code": 503, "text": "down"},
                {"json": {"success": True, "result": {"name": "x"}}},
            ],
        )
        assert ckan.call("package_show", {"id": "x"}) == {"name": "x"}
        assert mock.call_count == 4
        assert mock.request_history[-1].headers["Authorization"] == TOKEN
    assert slept == [1.0, 2.0, 4.0]


def test_backoff_stops_at_its_maximum_and_gives_up_after_the_attempts() -> None:
    ckan, slept = client(attempts=4, backoff_seconds=10, max_backoff_seconds=15)
    with requests_mock.Mocker() as mock:
        mock.post(ACTION, exc=requests.ConnectTimeout("timed out"))
        with pytest.raises(CkanUnavailable, match="package_show failed 4 times"):
            ckan.call("package_show", {"id": "x"})
    assert slept == [10, 15, 15]


def test_validation_errors_are_not_retried() -> None:
    ckan, slept = client()
    with requests_mock.Mocker() as mock:
        body = {"success": False, "error": {"__type": "Validation Error", "name": ["That URL is already in use."]}}
        mock.post(f"{URL}/api/action/package_create", status_code=409, json=body)
        with pytest.raises(CkanError, match="already in use"):
            ckan.call("package_create", {"name": "x"})
        assert mock.call_count == 1
    assert slept == []


def test_show_returns_none_for_not_found() -> None:
    ckan, _ = client()
    with requests_mock.Mocker() as mock:
        mock.post(
            ACTION,
            status_code=404,
            json={"success": False, "error": {"__type": "Not Found Error", "message": "Not found"}},
        )
        assert ckan.show("package_show", id="missing") is None


def test_the_token_never_appears_in_errors_logs_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    ckan, _ = client(attempts=2)
    caplog.set_level(logging.DEBUG)
    with requests_mock.Mocker() as mock:
        # A proxy that echoes the request headers in its error page.
        mock.post(ACTION, status_code=500, text=f"Internal error; Authorization: {TOKEN}")
        mock.post(f"{URL}/api/action/package_create", status_code=403, text=f"forbidden for {TOKEN}")
        with pytest.raises(CkanUnavailable) as unavailable:
            ckan.call("package_show", {"id": "x"})
        with pytest.raises(CkanError) as refused:
            ckan.call("package_create", {"name": "x"})
    for text in (str(unavailable.value), str(refused.value), caplog.text, repr(ckan)):
        assert TOKEN not in text
    assert "***" in str(refused.value)


def test_uploads_are_reopened_for_every_attempt(tmp_path: Path) -> None:
    upload = tmp_path / "data.csv"
    upload.write_bytes(b"\xef\xbb\xbfa,b\r\n")
    ckan, _ = client()
    with requests_mock.Mocker() as mock:
        mock.post(
            f"{URL}/api/action/resource_patch",
            [{"status_code": 503, "text": "down"}, {"json": {"success": True, "result": {"id": "r1"}}}],
        )
        assert ckan.call("resource_patch", {"id": "r1", "odl_version": "v"}, uploads={"upload": upload}) == {"id": "r1"}
        bodies = [request.body for request in mock.request_history]
    assert all(b"\xef\xbb\xbfa,b" in body for body in bodies)


def test_redact_replaces_every_occurrence() -> None:
    assert redact(f"{TOKEN} and {TOKEN}", TOKEN) == "*** and ***"
    assert redact("nothing", None) == "nothing"
