"""The Assets that link store → connect → create, named once so producers and consumers agree."""

from airflow.sdk import Asset, AssetAlias


def raw_asset(dataset: str) -> Asset:
    """Accepted submissions of a source dataset (data/raw/<dataset>/)."""
    return Asset(name=f"raw/{dataset}", uri=f"odl://raw/{dataset}", group="raw")


def raw_alias(department: str) -> AssetAlias:
    """A store run emits events only for the datasets it actually accepted, through this alias."""
    return AssetAlias(f"raw-from-{department}")
