"""ためる store: one DAG per department inbox (`data/inbox/<department>/`).

A file dropped in the inbox (or put there by `odl submit`) is picked up within
a minute, archived unchanged under its sha256, checked against its dataset's
contract, and then either written to `data/raw/<dataset>/` (and announced on the
dataset's raw Asset, which starts the connect DAGs) or quarantined with a
Japanese report (report.html) for the department. The same file twice is
recognised and announced once. Rejected files do not fail the run: see the
task log summary and `data/ledger/submissions.jsonl`. Nothing stays in the inbox
to fail every run: a file the store cannot take in (a bad sidecar, anything
unexpected) is quarantined with a report too, and links, FIFOs and folders are
moved into quarantine unopened.
"""

from datetime import datetime

from airflow.sdk import dag

from odl_airflow.assets import raw_alias
from odl_airflow.dag_defaults import DEFAULT_ARGS
from odl_airflow.store_tasks import store_submissions, wait_for_submissions
from transforms.contracts import Department, load_departments, load_source_contracts


def build_store_dag(department: Department, datasets: list[str]) -> None:
    @dag(
        dag_id=f"store_{department.id.replace('-', '_')}",
        description=f"{department.name}の提出ファイルを受け付ける ({', '.join(datasets)})",
        schedule="@continuous",
        start_date=datetime(2026, 1, 1),
        max_active_runs=1,
        catchup=False,
        default_args=DEFAULT_ARGS,
        tags=["store", department.id],
        doc_md=__doc__ + f"\n\nDepartment: **{department.name}** ({department.id}); datasets: {', '.join(datasets)}.",
    )
    def store() -> None:
        names = wait_for_submissions(department.id)
        store_submissions.override(outlets=[raw_alias(department.id)])(department.id, names)

    store()


_contracts = load_source_contracts()
for _department in load_departments().values():
    build_store_dag(_department, sorted(c.id for c in _contracts.values() if c.department == _department.id))
