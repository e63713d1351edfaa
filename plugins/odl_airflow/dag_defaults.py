"""House defaults every odl DAG uses; the structure tests enforce them."""

from datetime import timedelta
from typing import Any

from odl_airflow.callbacks import log_task_failure

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "odl",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=5),
    "on_failure_callback": log_task_failure,
}

# The three verbs of Mie's data policy; each DAG carries exactly one of them.
STAGE_TAGS = frozenset({"store", "connect", "create"})
