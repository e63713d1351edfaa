"""The CKAN client retries what may pass (no connection, 5xx), not what will not, never creates twice, never shows the token."""

import logging
import socket
from pathlib import Path

import pytest
import requests
import requests_mock
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from transforms.publish.ckan_client import CkanClient, CkanError, CkanUnavailable, never_sent, redact

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


# --- creating actions: resent only when CKAN cannot have done them ------------------------------

CREATE = f"{URL}/api/action/package_create"
REFUSED = requests.ConnectionError(
    MaxRetryError(None, CREATE, NewConnectionError(None, "Failed to establish a new connection: [Errno 111] refused"))  # type: ignore[arg-type]
)
DROPPED = requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer")))


def test_a_create_ckan_did_but_answered_502_is_sent_once_and_the_lookup_is_returned() -> None:
    ckan, slept = client(backoff_seconds=1.0)
    with requests_mock.Mocker() as mock:
        mock.post(CREATE, [{"status_code": 502, "text": "Bad Gateway"}, {"json": {"success": True, "result": "x2"}}])
        # The lookup meets the same outage and rides it out like any read.
        mock.post(ACTION, [{"status_code": 503, "text": "down"}, {"json": {"success": True, "result": {"id": "p1"}}}])
        found = ckan.create("package_create", {"name": "x"}, find_existing=lambda: ckan.show("package_show", id="x"))
        assert found == {"id": "p1"}
        assert [request.url for request in mock.request_history] == [CREATE, ACTION, ACTION]
    assert slept == [1.0, 1.0]


def test_a_create_whose_answer_timed_out_is_not_resent_with_its_upload(tmp_path: Path) -> None:
    upload = tmp_path / "data.csv"
    upload.write_bytes(b"a,b\r\n")
    ckan, _ = client()
    looked: list[str] = []

    def find_existing() -> dict[str, str]:
        looked.append("csv")
        return {"id": "r1"}

    with requests_mock.Mocker() as mock:
        mock.post(f"{URL}/api/action/resource_create", exc=requests.ReadTimeout("read timed out"))
        result = ckan.create(
            "resource_create", {"package_id": "p1"}, uploads={"upload": upload}, find_existing=find_existing
        )
        assert mock.call_count == 1
    assert (result, looked) == ({"id": "r1"}, ["csv"])


def test_a_dropped_connection_after_sending_is_looked_up_not_resent() -> None:
    ckan, _ = client()
    with requests_mock.Mocker() as mock:
        mock.post(CREATE, [{"exc": DROPPED}, {"json": {"success": True, "result": "second"}}])
        assert ckan.create("package_create", {"name": "x"}, find_existing=lambda: {"id": "p1"}) == {"id": "p1"}
        assert mock.call_count == 1


def test_a_refused_connection_is_retried_without_a_lookup_and_then_succeeds() -> None:
    ckan, slept = client(backoff_seconds=1.0)
    looked: list[bool] = []
    with requests_mock.Mocker() as mock:
        mock.post(
            CREATE,
            [
                {"exc": REFUSED},
                {"exc": requests.ConnectTimeout("connect timed out")},
                {"json": {"success": True, "result": {"id": "p1"}}},
            ],
        )
        assert ckan.create("package_create", {"name": "x"}, find_existing=lambda: looked.append(True)) == {"id": "p1"}
        assert mock.call_count == 3
    assert (looked, slept) == ([], [1.0, 2.0])


def test_a_502_where_nothing_was_made_is_sent_again_once() -> None:
    ckan, _ = client()
    with requests_mock.Mocker() as mock:
        mock.post(
            CREATE, [{"status_code": 502, "text": "Bad Gateway"}, {"json": {"success": True, "result": {"id": "p1"}}}]
        )
        assert ckan.create("package_create", {"name": "x"}, find_existing=lambda: None) == {"id": "p1"}
        assert mock.call_count == 2


def test_a_create_that_never_made_anything_gives_up_after_the_attempts() -> None:
    ckan, slept = client(attempts=3, backoff_seconds=1.0)
    with requests_mock.Mocker() as mock:
        mock.post(CREATE, status_code=504, text="Gateway Timeout")
        with pytest.raises(CkanUnavailable, match="package_create failed 3 times and made nothing"):
            ckan.create("package_create", {"name": "x"}, find_existing=lambda: None)
        assert mock.call_count == 3
    assert slept == [1.0, 2.0, 4.0]  # the last failure is looked up too


def test_never_sent_tells_a_refused_connection_from_a_request_left_unanswered() -> None:
    """What requests really raises, from real sockets: a closed port, and one that takes the request but never answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(requests.ConnectionError) as refused:
        requests.post(f"http://127.0.0.1:{closed}/api/action/package_create", data={"name": "x"}, timeout=5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(requests.ReadTimeout) as unanswered:
            requests.post(f"http://127.0.0.1:{port}/api/action/package_create", data={"name": "x"}, timeout=(5, 0.2))
    assert never_sent(refused.value)
    assert not never_sent(unanswered.value)
    assert never_sent(requests.ConnectTimeout("connect timed out"))
    assert not never_sent(DROPPED)
