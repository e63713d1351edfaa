"""A publish through a CKAN that loses the answers to its creates still makes every object once, and whole.

CKAN is faked in memory behind requests_mock (no services needed): it keeps organizations, datasets,
resources with their uploaded files, and DataStore tables, and can do a create and then answer 502
or let the client's read time out.
"""

import json
import re
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
import requests_mock

from tests.transforms.publish.curated import evacuation_sites, write_curated
from transforms.contracts import load_published_contracts
from transforms.publish import metadata
from transforms.publish.ckan_client import CkanClient
from transforms.publish.publisher import Publisher, latest_curated

URL = "http://ckan.test"
CONTRACT = load_published_contracts()["evacuation-sites"]


class FakeCkan:
    """The part of CKAN's Action API a publish uses. lose: action → what happens to its first call's answer.

    "done": CKAN does the work, then a proxy answers 502. "timeout": CKAN does the work, the client's read
    times out. "half": CKAN makes the resource but not its DataStore table (datastore_create) or without
    its file (resource_create), then answers 502. "nothing": nothing done, answered 502.
    """

    def __init__(self, lose: dict[str, str]) -> None:
        self.lose = dict(lose)
        self.organizations: dict[str, dict[str, Any]] = {}
        self.packages: dict[str, dict[str, Any]] = {}
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}
        self.sent: list[str] = []

    def __call__(self, request: requests.PreparedRequest, context: Any) -> dict[str, Any]:
        action = str(request.url).rsplit("/", 1)[1]
        self.sent.append(action)
        data, upload = _body(request)
        outcome = self.lose.pop(action, None)
        if outcome == "nothing":
            context.status_code = 502
            return {}
        try:
            result = getattr(self, action)(data, upload, half=outcome == "half")
        except LookupError:
            context.status_code = 404
            return {"success": False, "error": {"__type": "Not Found Error", "message": "Not found"}}
        if outcome == "timeout":
            raise requests.ReadTimeout("read timed out")
        if outcome in ("done", "half"):
            context.status_code = 502
            return {}
        return {"success": True, "result": result}

    def package(self, id_or_name: str) -> dict[str, Any]:
        return next(p for p in self.packages.values() if id_or_name in (p["id"], p["name"]))

    def resource(self, resource_id: str) -> dict[str, Any]:
        return next(r for p in self.packages.values() for r in p["resources"] if r["id"] == resource_id)

    def organization_show(self, data: dict[str, Any], upload: bytes | None, half: bool) -> dict[str, Any]:
        return self.organizations[data["id"]]

    def organization_create(self, data: dict[str, Any], upload: bytes | None, half: bool) -> dict[str, Any]:
        assert data["name"] not in self.organizations, "Group name already exists in database."
        self.organizations[data["name"]] = {**data, "id": str(uuid.uuid4())}
        return self.organizations[data["name"]]

    def package_show(self, data: dict[str, Any], upload: bytes | None, half: bool) -> dict[str, Any]:
        try:
            return json.loads(json.dumps(self.package(data["id"])))
        except StopIteration:
            raise LookupError(data["id"]) from None

    def package_create(self, data: dict[str, Any], upload: bytes | None, half: bool) -> dict[str, Any]:
        assert data["name"] not in self.packages, "That URL is already in use."
        self.packages[data["name"]] = {**data, "id": str(uuid.uuid4()), "resources": []}
        return self.packages[data["name"]]

    def package_patch(self, data: dict[str, Any], upload: bytes | None, half: bool) -> dict[str, Any]:
        package = self.package(data["id"])
        package.update({k: v for k, v in data.items() if k != "id"})
        return package

    def resource_create(self, data: dict[str, Any], upload: bytes | None, half: bool) -> dict[str, Any]:
        resource = {**data, "id": str(uuid.uuid4()), "datastore_active": False}
        self.package(data["package_id"])["resources"].append(resource)
        if upload is not None and not half:
            self.files[resource["id"]] = upload
        return resource

    def resource_patch(self, data: dict[str, Any], upload: bytes | None, half: bool) -> dict[str, Any]:
        resource = self.resource(data["id"])
        resource.update(data)
        if upload is not None:
            self.files[resource["id"]] = upload
        return resource

    def datastore_create(self, data: dict[str, Any], upload: bytes | None, half: bool) -> dict[str, Any]:
        if "resource" in data:
            resource = self.resource_create({**data["resource"], "url": "_datastore_only_resource"}, None, False)
            if half:
                return {}
            resource["url_type"] = "datastore"
        else:
            resource = self.resource(data["resource_id"])
            assert data.get("force") or resource.get("url_type") == "datastore", "Cannot edit read-only resource"
        self.tables[resource["id"]] = data["fields"]
        resource["datastore_active"] = True
        return {"resource_id": resource["id"], "fields": data["fields"]}

    def datastore_info(self, data: dict[str, Any], upload: bytes | None, half: bool) -> dict[str, Any]:
        if data["id"] not in self.tables:
            raise LookupError(data["id"])
        return {"fields": self.tables[data["id"]]}


class FakeLoader:
    """The bulk loader, loading into the fake CKAN's tables: a table datastore_create never made cannot be loaded."""

    def __init__(self, ckan: FakeCkan) -> None:
        self.ckan = ckan
        self.loaded: dict[str, str] = {}

    def version(self, resource_id: str, schema: str = "public") -> None:
        return None

    def unique_key(self, resource_id: str) -> list[str]:
        return sorted(CONTRACT.key)

    def load(
        self, resource_id: str, chunks: Any, version: str, *, columns: list[str], reshape: Any = None
    ) -> SimpleNamespace:
        assert resource_id in self.ckan.tables, f"no DataStore table for resource {resource_id}"
        self.loaded[resource_id] = version
        return SimpleNamespace(rows=5, seconds=0.1)


def _body(request: requests.PreparedRequest) -> tuple[dict[str, Any], bytes | None]:
    """The action's data and the uploaded file, from a JSON or a multipart body."""
    content_type = request.headers.get("Content-Type", "")
    body = request.body if isinstance(request.body, bytes) else str(request.body or "{}").encode()
    if not content_type.startswith("multipart/"):
        return json.loads(body), None
    message = BytesParser(policy=policy.default).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    assert isinstance(message, EmailMessage)
    data: dict[str, Any] = {}
    upload = None
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        if part.get_filename():
            upload = payload
        else:
            data[str(part.get_param("name", header="content-disposition"))] = payload.decode()
    return data, upload


@pytest.mark.parametrize(
    "lose",
    [
        pytest.param(
            {
                "organization_create": "done",
                "package_create": "timeout",
                "datastore_create": "done",
                "resource_create": "timeout",
            },
            id="made-but-answer-lost",
        ),
        pytest.param({"datastore_create": "half", "resource_create": "half"}, id="made-without-table-or-file"),
        pytest.param(
            {
                "organization_create": "nothing",
                "package_create": "nothing",
                "datastore_create": "nothing",
                "resource_create": "nothing",
            },
            id="502-and-nothing-made",
        ),
    ],
)
def test_a_publish_makes_each_object_once_whatever_answers_are_lost(tmp_path: Path, lose: dict[str, str]) -> None:
    ckan = FakeCkan(lose)
    loader = FakeLoader(ckan)
    publisher = Publisher(
        CkanClient(URL, "token", sleep=lambda _: None),
        loader,  # type: ignore[arg-type]
        name_prefix="odl-test-",
        data_root=tmp_path,
    )
    version = write_curated(tmp_path, "evacuation-sites", evacuation_sites(5))
    with requests_mock.Mocker() as mock:
        mock.post(re.compile(f"{URL}/api/action/"), json=ckan)
        result = publisher.publish(CONTRACT, latest_curated("evacuation-sites", tmp_path))

    assert result.outcome == "published"
    assert list(ckan.organizations) == ["odl-test-disaster-prevention"]
    assert list(ckan.packages) == ["odl-test-evacuation-sites"]
    package = ckan.packages["odl-test-evacuation-sites"]
    resources = {r["odl_role"]: r for r in package["resources"]}
    assert len(package["resources"]) == len(resources) == 3
    assert result.resource_ids == {role: r["id"] for role, r in resources.items()}
    assert package["version"] == version
    assert {r["odl_version"] for r in resources.values()} == {version}

    datastore = resources[metadata.ROLE_DATASTORE]
    assert (datastore["url_type"], datastore["datastore_active"]) == ("datastore", True)
    assert ckan.tables[datastore["id"]] == metadata.datastore_fields(CONTRACT)
    assert loader.loaded == {datastore["id"]: version}
    csv = ckan.files[resources[metadata.ROLE_CSV]["id"]]
    assert csv.startswith('\ufeff"全国地方公共団体コード"'.encode())
    assert csv.count(b"\r\n") == 6
    assert ckan.files[resources[metadata.ROLE_PARQUET]["id"]].startswith(b"PAR1")
    assert not ckan.lose, "every lost answer was met"
