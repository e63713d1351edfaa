"""Where odl keeps things. Every path can be moved with an environment variable."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def data_root() -> Path:
    """Root of the data the stages keep (ODL_DATA_ROOT); what lies under it: transforms.data_layout."""
    return Path(os.environ.get("ODL_DATA_ROOT", PROJECT_ROOT / "data"))


def catalog_dir() -> Path:
    """Dataset contracts and reference data (ODL_CATALOG_DIR)."""
    return Path(os.environ.get("ODL_CATALOG_DIR", PROJECT_ROOT / "catalog"))
