"""つなぐ connect: one DAG per published dataset (`catalog/datasets/<dataset>/published.yaml`).

Runs when any of the dataset's inputs has a newly accepted submission (their raw Assets), with
the latest accepted version of every input: builds the dataset with the contract's transform,
joins it with Mie's 市町 reference data, and validates it with its Great Expectations suite
(generated from the contract and the folder's `checks.json`; `suite.json` is its committed copy). A passing table becomes `data/curated/<dataset>/<version>.parquet`
(version = content hash) with its report beside it, and is announced on the curated Asset, which
starts the create DAG. The same inputs give the same version and no announcement. An unmatched or
ambiguous key, or a failed expectation, fails the run with the reason and the report's path
(`data/curated/<dataset>/failed/<run>/report.html`); nothing is curated. Every run is a line in
`data/ledger/connect.jsonl`.
"""

from datetime import datetime

from airflow.sdk import AssetAny, dag

from odl_airflow.assets import raw_asset
from odl_airflow.connect_tasks import connect_dataset, curated_alias
from odl_airflow.dag_defaults import DEFAULT_ARGS
from transforms.contracts import PublishedContract, load_published_contracts


def build_connect_dag(contract: PublishedContract) -> None:
    @dag(
        dag_id=f"connect_{contract.id.replace('-', '_')}",
        description=f"{contract.title}を結合・検証する（入力: {', '.join(contract.inputs)}）",
        schedule=AssetAny(*(raw_asset(name) for name in contract.inputs)),
        start_date=datetime(2026, 1, 1),
        max_active_runs=1,
        catchup=False,
        default_args=DEFAULT_ARGS,
        tags=["connect", contract.department],
        doc_md=__doc__
        + f"\n\nDataset: **{contract.title}** ({contract.id}); transform `{contract.transform}`;"
        + f" inputs: {', '.join(contract.inputs)}.",
    )
    def connect() -> None:
        connect_dataset.override(outlets=[curated_alias(contract.id)])(contract.id)

    connect()


for _contract in load_published_contracts().values():
    build_connect_dag(_contract)
