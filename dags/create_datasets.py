"""つくる create: one DAG per published dataset (`catalog/datasets/<dataset>/published.yaml`).

Runs when connect announces a new curated version on the dataset's curated Asset. The publish
task puts that version on CKAN: the organization of the owning department, the dataset metadata
(titles, tags, license CC BY 4.0 with the 出典 text, coverage, update frequency, contact, version
and changelog), the DataStore table citizens query through the API (Japanese column names, primary
key, data dictionary) loaded by COPY and swapped in atomically, and CSV (UTF-8 with BOM) and
Parquet downloads. The same version twice writes nothing; a failed load leaves the previous
version served. The task's "CKAN" link opens the dataset page; every outcome is a line in
`data/ledger/publish.jsonl`. `odl publish DATASET` runs the same code by hand, `odl rollback
DATASET` serves the previous version again.
"""

from datetime import datetime

from airflow.sdk import dag

from odl_airflow.assets import curated_asset, published_asset
from odl_airflow.create_tasks import PublishDatasetOperator
from odl_airflow.dag_defaults import DEFAULT_ARGS
from transforms.contracts import PublishedContract, load_published_contracts


def build_create_dag(contract: PublishedContract) -> None:
    @dag(
        dag_id=f"create_{contract.id.replace('-', '_')}",
        description=f"{contract.title}をCKANに公開する",
        schedule=[curated_asset(contract.id)],
        start_date=datetime(2026, 1, 1),
        max_active_runs=1,
        catchup=False,
        default_args=DEFAULT_ARGS,
        tags=["create", contract.department],
        doc_md=__doc__ + f"\n\nDataset: **{contract.title}** ({contract.id}), owner {contract.department}.",
    )
    def create() -> None:
        PublishDatasetOperator(task_id="publish", dataset=contract.id, outlets=[published_asset(contract.id)])

    create()


for _contract in load_published_contracts().values():
    build_create_dag(_contract)
