"""Failure callbacks: one clear log line an engineer can grep, with where to look next."""

import logging
from typing import Any

log = logging.getLogger("odl.failures")


def log_task_failure(context: Any) -> None:
    ti = context.get("ti") or context.get("task_instance")
    error = context.get("exception")
    log.error(
        "odl task failed: dag=%s task=%s run=%s try=%s error=%s",
        getattr(ti, "dag_id", "?"),
        getattr(ti, "task_id", "?"),
        context.get("run_id", "?"),
        getattr(ti, "try_number", "?"),
        f"{type(error).__name__}: {error}" if error else "unknown",
    )
