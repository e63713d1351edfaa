"""Publishing against the real local CKAN and DataStore, under names unique to the test session."""

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ckan.conftest import ckan_stack  # noqa: F401 (the session fixture that brings CKAN up)
from transforms.contracts import load_departments, load_published_contracts
from transforms.publish.ckan_client import CkanClient
from transforms.publish.datastore import DatastoreLoader
from transforms.publish.publisher import Publisher


def purge(ckan: CkanClient, loader: DatastoreLoader, prefix: str) -> None:
    """Every dataset and organization the prefix names, with their DataStore tables (live, staging, previous)."""
    for dataset in load_published_contracts():
        package = ckan.show("package_show", id=f"{prefix}{dataset}")
        if package is None:
            continue
        for resource in package["resources"]:
            if resource.get("datastore_active"):
                with contextlib.suppress(Exception):
                    ckan.call("datastore_delete", {"resource_id": resource["id"], "force": True})
                loader.drop(resource["id"])
        ckan.call("dataset_purge", {"id": package["id"]})
    for department in load_departments():
        if ckan.show("organization_show", id=f"{prefix}{department}") is not None:
            ckan.call("organization_purge", {"id": f"{prefix}{department}"})


@pytest.fixture
def prefix() -> str:
    return f"odl-test-{uuid.uuid4().hex[:8]}-"


@pytest.fixture
def publisher(ckan_stack: dict[str, str], tmp_path: Path, prefix: str) -> Iterator[Publisher]:  # noqa: F811
    ckan = CkanClient(ckan_stack["url"], ckan_stack["api_token"], backoff_seconds=0.5)
    loader = DatastoreLoader(ckan_stack["datastore_write_url"])
    yield Publisher(ckan, loader, name_prefix=prefix, data_root=tmp_path)
    purge(CkanClient(ckan_stack["url"], ckan_stack["api_token"]), loader, prefix)
