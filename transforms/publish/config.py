"""Where `odl publish` finds CKAN outside Airflow: environment variables, else the local stack's state file.

Inside Airflow the Connections `ckan_default` and `ckan_datastore` say the same (plugins/odl_airflow).
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from transforms import settings

STATE_FILE = settings.PROJECT_ROOT / "state" / "ckan.json"  # written 0600 by scripts/stack_ckan.py


class ConfigError(RuntimeError):
    """Nothing says where CKAN or its DataStore is."""


@dataclass(frozen=True)
class CkanSettings:
    url: str
    api_token: str
    datastore_url: str
    name_prefix: str = ""

    def __repr__(self) -> str:  # the token and the database password never show
        return f"CkanSettings(url={self.url!r}, name_prefix={self.name_prefix!r})"


def name_prefix() -> str:
    """ODL_CKAN_NAME_PREFIX: put before every CKAN dataset and organization name (tests, a staging portal)."""
    return os.environ.get("ODL_CKAN_NAME_PREFIX", "")


def from_environment(state_file: Path | None = None) -> CkanSettings:
    """ODL_CKAN_URL, ODL_CKAN_API_TOKEN, ODL_DATASTORE_URL; each one unset is read from the stack's state file."""
    path = state_file or Path(os.environ.get("ODL_CKAN_STATE_FILE", STATE_FILE))
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    values = {
        "url": os.environ.get("ODL_CKAN_URL") or stored.get("url"),
        "api_token": os.environ.get("ODL_CKAN_API_TOKEN") or stored.get("api_token"),
        "datastore_url": os.environ.get("ODL_DATASTORE_URL") or stored.get("datastore_write_url"),
    }
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ConfigError(
            f"CKAN settings missing: {', '.join(missing)} (set ODL_CKAN_URL, ODL_CKAN_API_TOKEN, ODL_DATASTORE_URL "
            f"or bring the local stack up so {path} exists)"
        )
    return CkanSettings(
        url=str(values["url"]),
        api_token=str(values["api_token"]),
        datastore_url=str(values["datastore_url"]),
        name_prefix=name_prefix(),
    )
