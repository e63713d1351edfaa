"""Tasks of the connect DAGs. The work is in transforms.connect; these wire it to Airflow."""

import logging
from typing import Any

from airflow.sdk import AssetAlias, task
from airflow.sdk.exceptions import AirflowFailException

from odl_airflow.assets import curated_asset

log = logging.getLogger(__name__)


def curated_alias(dataset: str) -> AssetAlias:
    """A connect run announces the curated Asset through this alias only when it wrote a new version."""
    return AssetAlias(f"curated-from-{dataset}")


@task
def connect_dataset(dataset: str, outlet_events: Any = None, run_id: str | None = None) -> dict[str, Any]:
    """Build, reconcile and validate the dataset from the latest accepted inputs.

    New version → an event on the curated Asset; unchanged → success without an event; blocked by a
    join or failed validation → the task fails at once (a retry would see the same data) with the reason
    and the report's path.
    """
    from dataclasses import asdict

    from transforms.connect.run import connect_dataset as connect

    run = connect(dataset, airflow_run_id=run_id)
    log.info("odl connect: %s", run.summary())
    if run.outcome in ("blocked", "failed"):
        failed = "".join(f"\n  - {label}" for label in run.failed_expectations)
        raise AirflowFailException(f"{run.summary()}{failed}\nreport: {run.report_html}")
    if run.published_new_version and outlet_events is not None:
        extra = {"version": run.version, "rows": run.rows, "inputs": run.inputs}
        outlet_events[curated_alias(dataset)].add(curated_asset(dataset), extra=extra)
    return asdict(run.ledger_line())  # the run as the connect ledger keeps it: joins by their counts
