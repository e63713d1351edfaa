"""The Assets that link store → connect → create, named once so producers and consumers agree."""

from airflow.sdk import Asset, AssetAlias


def raw_asset(dataset: str) -> Asset:
    """Accepted submissions of a source dataset (data/raw/<dataset>/)."""
    return Asset(name=f"raw/{dataset}", uri=f"odl://raw/{dataset}", group="raw")


def raw_alias(department: str) -> AssetAlias:
    """A store run emits events only for the datasets it actually accepted, through this alias."""
    return AssetAlias(f"raw-from-{department}")


def curated_asset(dataset: str) -> Asset:
    """Validated versions of a published dataset (data/curated/<dataset>/<version>.parquet)."""
    return Asset(name=f"curated/{dataset}", uri=f"odl://curated/{dataset}", group="curated")


def published_asset(dataset: str) -> Asset:
    """The dataset as citizens get it from CKAN (name = the published contract id)."""
    return Asset(name=f"published/{dataset}", uri=f"odl://published/{dataset}", group="published")
