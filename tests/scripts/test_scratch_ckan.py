"""The disposable CKAN never takes the stack's names, and gives stack_ckan its own back after every call."""

from pathlib import Path

import pytest

from scripts import stack_ckan
from scripts.scratch_ckan import ScratchCkan


@pytest.mark.parametrize(
    ("port", "ckan_db", "datastore_db"),
    [
        (5077, stack_ckan.CKAN_DB, "odl_scratch_datastore"),
        (5077, "odl_scratch_ckan", stack_ckan.DATASTORE_DB),
        (stack_ckan.PORT - 1, "odl_scratch_ckan", "odl_scratch_datastore"),  # its pools would take the stack's port
    ],
)
def test_a_scratch_site_refuses_the_stacks_databases_and_ports(
    tmp_path: Path, port: int, ckan_db: str, datastore_db: str
) -> None:
    with pytest.raises(ValueError, match="never the stack's"):
        ScratchCkan(tmp_path, port, ckan_db, datastore_db, redis_db=7)


def test_the_stack_gets_its_own_names_back_even_when_a_call_fails(tmp_path: Path) -> None:
    site = ScratchCkan(tmp_path, 5077, "odl_scratch_ckan", "odl_scratch_datastore", redis_db=7)

    def names() -> tuple[object, ...]:
        return (stack_ckan.PORT, stack_ckan.URL, stack_ckan.CKAN_DB, stack_ckan.DATASTORE_DB, stack_ckan.REDIS_URL)

    stack_names = names()
    with pytest.raises(RuntimeError, match="inside"), site._as_this_site():
        assert names() == (
            5077,
            "http://127.0.0.1:5077",
            "odl_scratch_ckan",
            "odl_scratch_datastore",
            "redis://127.0.0.1:6379/7",
        )
        raise RuntimeError("inside")
    assert names() == stack_names
