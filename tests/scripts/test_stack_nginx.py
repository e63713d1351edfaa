"""The front door (scripts/stack_nginx.py, ckan/nginx/): the config renders and nginx accepts it; on the running
stack it limits rates with a 429 CKAN clients can read, compresses, serves static files and public downloads
itself, refuses a private file to a stranger, and passes the client's address on to CKAN.

Each integration test talks from a loopback address of its own (tests/ckan/client_address.py), so the
limits it trips never touch the rest of the suite on 127.0.0.1.
"""

import gzip
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ckanapi import RemoteCKAN

from scripts import stack_ckan, stack_nginx
from scripts.services import ensure_nginx
from tests.ckan.client_address import request
from tests.ckan.conftest import STATE_DIR, ckan_stack, sysadmin  # noqa: F401 (fixtures used by name)

integration = pytest.mark.integration


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    storage = tmp_path / "storage"
    storage.mkdir()
    return stack_nginx.render_config(tmp_path, "127.0.0.1:5990", "127.0.0.1:5991", "127.0.0.1:5992", storage)


def test_config_renders_every_placeholder(rendered: Path, tmp_path: Path) -> None:
    site = (rendered.parent / "odl.conf").read_text(encoding="utf-8")
    main = rendered.read_text(encoding="utf-8")
    assert not stack_nginx.PLACEHOLDER.search(site + main)
    assert "listen 127.0.0.1:5990;" in site
    assert "server 127.0.0.1:5991;" in site and "server 127.0.0.1:5992;" in site
    assert f"include {tmp_path / 'nginx' / 'odl.conf'};" in main
    assert f"pid {tmp_path / 'nginx' / 'nginx.pid'};" in main  # its own pid and temp files, not the system's
    assert "/var/" not in main
    assert (rendered.parent / "odl.conf").stat().st_mode & 0o777 == 0o600


def test_nginx_accepts_the_rendered_config(rendered: Path) -> None:
    stack_nginx.check(rendered)
    result = subprocess.run(stack_nginx._nginx(rendered, "-t"), capture_output=True, text=True)
    assert result.returncode == 0 and "syntax is ok" in result.stderr


def test_nginx_check_refuses_a_broken_config(rendered: Path) -> None:
    site = rendered.parent / "odl.conf"
    site.write_text(site.read_text(encoding="utf-8").replace("limit_req_status  429;", "limit_req_status;"))
    with pytest.raises(RuntimeError, match="nginx refuses"):
        stack_nginx.check(rendered)


def test_a_missing_value_is_an_error_not_a_blank(tmp_path: Path) -> None:
    template = tmp_path / "t.conf"
    template.write_text("listen ${ODL_LISTEN}; set $x $remote_addr;")
    assert stack_nginx.render(template, {"ODL_LISTEN": "1.2.3.4:5"}) == "listen 1.2.3.4:5; set $x $remote_addr;"
    with pytest.raises(KeyError, match="ODL_LISTEN"):
        stack_nginx.render(template, {})


# --- on the running stack -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(sysadmin: RemoteCKAN, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:  # noqa: F811
    """An uploaded CSV in a public dataset and one in a private dataset, purged afterwards."""
    run = uuid.uuid4().hex[:8]
    organization = sysadmin.action.organization_create(name=f"odl-test-door-{run}")
    content = ("施設名,収容人数\n" + "津市体育館,1200\n" * 5000).encode("utf-8")
    upload = tmp_path_factory.mktemp("door") / "避難所.csv"
    upload.write_bytes(content)
    found: dict[str, Any] = {"content": content}
    for kind, private in (("public", False), ("private", True)):
        dataset = sysadmin.action.package_create(
            name=f"odl-test-door-{kind}-{run}", owner_org=organization["id"], private=private
        )
        with upload.open("rb") as handle:
            found[kind] = sysadmin.action.resource_create(
                package_id=dataset["id"], name="避難所", format="CSV", upload=handle
            )
    yield found
    for kind in ("public", "private"):
        sysadmin.action.dataset_purge(id=found[kind]["package_id"])
    sysadmin.action.organization_purge(id=organization["id"])


def statuses_until_refused(url: str, source: str, headers: dict[str, str] | None = None, most: int = 400) -> list[int]:
    """Statuses of requests sent one after another until the first 429 (or most of them)."""
    statuses: list[int] = []
    while len(statuses) < most and 429 not in statuses:
        statuses.append(request(url, source, headers=headers).status)
    return statuses


@integration
def test_a_burst_ends_in_429_with_retry_after_and_a_ckan_shaped_body(ckan_stack: dict[str, str]) -> None:  # noqa: F811
    url = f"{ckan_stack['url']}/api/3/action/status_show"
    statuses = statuses_until_refused(url, "127.0.0.2")
    assert statuses[-1] == 429
    assert len(statuses) > int(stack_nginx.LIMITS["ODL_API_BURST"])  # a burst is allowed first
    assert set(statuses[:-1]) == {200}
    refused = request(url, "127.0.0.2")
    assert refused.status == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"].startswith("application/json")
    body = refused.json()
    assert body["success"] is False and body["error"]["__type"] == "Rate Limit"
    assert (
        "秒後に再度お試しください" in body["error"]["message"] and "retry after 1 seconds" in body["error"]["message"]
    )
    # Another client is not affected.
    assert request(url, "127.0.0.3").status == 200


@integration
def test_the_stacks_own_token_callers_are_not_counted_but_a_header_from_elsewhere_is(
    ckan_stack: dict[str, str],  # noqa: F811
) -> None:
    url = f"{ckan_stack['url']}/api/3/action/status_show"
    token = {"Authorization": ckan_stack["api_token"]}
    elsewhere = statuses_until_refused(url, "127.0.0.4", headers=token)
    assert elsewhere[-1] == 429
    assert set(statuses_until_refused(url, "127.0.0.1", headers=token, most=3 * len(elsewhere))) == {200}


@integration
def test_json_and_pages_are_compressed(ckan_stack: dict[str, str]) -> None:  # noqa: F811
    answer = request(f"{ckan_stack['url']}/api/3/action/license_list", "127.0.0.5", headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200 and answer.headers.get("content-encoding") == "gzip"
    assert gzip.decompress(answer.body).startswith(b'{"help"')
    page = request(f"{ckan_stack['url']}/dataset/", "127.0.0.5", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("content-encoding") == "gzip"


@integration
def test_static_files_come_from_nginx(ckan_stack: dict[str, str]) -> None:  # noqa: F811
    logo = request(f"{ckan_stack['url']}/base/images/ckan-logo.png", "127.0.0.5")
    assert logo.status == 200 and logo.body.startswith(b"\x89PNG")
    # nginx's own headers (Flask would add Content-Disposition and Vary: Cookie, and no Expires).
    assert logo.headers["server"] == "nginx"
    assert "expires" in logo.headers and "max-age=3600" in logo.headers["cache-control"]
    assert "content-disposition" not in logo.headers and "vary" not in logo.headers
    page = request(f"{ckan_stack['url']}/dataset/", "127.0.0.5").body.decode()
    asset = re.search(r'href="(/webassets/[^"]+\.css)"', page)
    assert asset, "the page links no compiled stylesheet"
    css = request(f"{ckan_stack['url']}{asset.group(1)}", "127.0.0.5")
    assert css.status == 200 and "max-age=604800" in css.headers["cache-control"]


@integration
def test_public_download_is_sent_by_nginx_and_a_private_one_is_refused(
    ckan_stack: dict[str, str],  # noqa: F811
    files: dict[str, Any],
) -> None:
    public = request(files["public"]["url"], "127.0.0.6", headers={"Accept-Encoding": "identity"})
    assert public.status == 200 and public.body == files["content"]
    assert "x-accel-redirect" not in public.headers and "x-sendfile" not in public.headers
    assert public.headers["accept-ranges"] == "bytes"  # nginx's file module answered, not a CKAN thread
    part = request(files["public"]["url"], "127.0.0.6", headers={"Range": "bytes=0-11"})
    assert part.status == 206 and part.body == files["content"][:12]

    private = request(files["private"]["url"], "127.0.0.6")
    assert private.status == 403 and files["content"] not in private.body
    # The internal location nginx sends files from is not reachable from outside, nor with a guessed path.
    rid = files["private"]["id"]
    guessed = f"/_odl_storage/resources/{rid[:3]}/{rid[3:6]}/{rid[6:]}"
    assert request(f"{ckan_stack['url']}{guessed}", "127.0.0.6").status == 404
    # The owner (here the sysadmin) still gets it.
    owner = request(files["private"]["url"], "127.0.0.1", headers={"Authorization": ckan_stack["api_token"]})
    assert owner.status == 200 and owner.body == files["content"]


@integration
def test_without_nginx_ckan_still_sends_the_file_itself(ckan_stack: dict[str, str], files: dict[str, Any]) -> None:  # noqa: F811
    direct = files["public"]["url"].replace(f":{stack_ckan.PORT}/", f":{stack_ckan.LIGHT_PORT}/")
    answer = request(direct, "127.0.0.1")
    assert answer.status == 200 and answer.body == files["content"]


@integration
def test_the_clients_address_reaches_ckan_and_a_forged_one_does_not(ckan_stack: dict[str, str]) -> None:  # noqa: F811
    marker = uuid.uuid4().hex
    url = f"{ckan_stack['url']}/api/3/action/status_show?probe={marker}"
    request(url, "127.0.0.7", headers={"X-Forwarded-For": "203.0.113.9"})
    log = STATE_DIR / "logs" / f"{stack_ckan.SERVICE}.log"
    deadline = time.monotonic() + 10
    line = ""
    while not line and time.monotonic() < deadline:
        line = next((entry for entry in log.read_text(errors="replace").splitlines() if marker in entry), "")
        time.sleep(0.2)
    assert line.startswith("127.0.0.7 "), line  # gunicorn's access log: the address CKAN saw
    assert "203.0.113.9" not in line


@integration
def test_request_bodies_are_limited(ckan_stack: dict[str, str]) -> None:  # noqa: F811
    too_large = request(
        f"{ckan_stack['url']}/api/3/action/package_search",
        "127.0.0.8",
        method="POST",
        body=b"x" * (11 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert too_large.status == 413
    assert too_large.json()["error"]["__type"] == "Request Too Large"


@integration
def test_resource_uploads_may_be_larger(ckan_stack: dict[str, str]) -> None:  # noqa: F811
    """20 MB passes nginx on the upload paths (CKAN, not nginx, answers this anonymous caller)."""
    answer = request(
        f"{ckan_stack['url']}/api/3/action/resource_create",
        "127.0.0.8",
        method="POST",
        body=b"x" * (20 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status not in (413, 429) and answer.status < 500
    assert b"Request Too Large" not in answer.body


@integration
def test_sql_with_a_trailing_slash_still_goes_to_the_heavy_pool(ckan_stack: dict[str, str]) -> None:  # noqa: F811
    sql = "SELECT count(*) FROM generate_series(1,1000000000)"
    answer = request(f"{ckan_stack['url']}/api/3/action/datastore_search_sql/", "127.0.0.9", params={"sql": sql})
    assert answer.status == 404 or "上限の 5 秒" in answer.body.decode()


def test_ensure_nginx_finds_or_installs_the_binary() -> None:
    binary = Path(ensure_nginx())
    assert binary.name == "nginx" and binary.exists()
    version = subprocess.run([binary, "-v"], capture_output=True, text=True)
    assert version.returncode == 0 and "nginx/" in version.stderr
