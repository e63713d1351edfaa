"""Fixtures for DAG runs that publish to the real local CKAN."""

from tests.ckan.conftest import ckan_stack  # noqa: F401 (session fixture: CKAN up)
from tests.transforms.publish.conftest import prefix  # noqa: F401 (CKAN names unique to the test)
