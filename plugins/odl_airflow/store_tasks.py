"""Tasks of the store DAGs. The work is in transforms.store; these wire it to Airflow."""

import logging
from typing import Any

from airflow.sdk import PokeReturnValue, task

from odl_airflow.assets import raw_alias, raw_asset

log = logging.getLogger(__name__)

# A department's drop is seen within this many seconds; the sensor frees its worker slot between looks.
INBOX_POLL_SECONDS = 15


@task.sensor(poke_interval=INBOX_POLL_SECONDS, timeout=3600, mode="reschedule", soft_fail=True)
def wait_for_submissions(department: str) -> PokeReturnValue:
    """Done as soon as the inbox holds a file; after an hour of nothing the run ends skipped and a new one waits.

    The names are passed on as text (a cp932 name from a Windows share read as Japanese): a raw file name
    that is no UTF-8 cannot be stored as an XCom, and would fail every run.
    """
    from transforms.files import readable_name
    from transforms.store import inbox_files

    names = [readable_name(path.name) for path in inbox_files(department)]
    return PokeReturnValue(is_done=bool(names), xcom_value=names)


@task
def store_submissions(department: str, file_names: list[str], outlet_events: Any = None) -> list[dict[str, Any]]:
    """Archive, check and file each waiting file. A rejected file is an outcome, not a task failure; a file
    the store cannot take in is quarantined by process_inbox_file, so this raises only when even that failed."""
    from dataclasses import asdict

    from transforms.contracts import load_departments, load_source_contracts
    from transforms.files import readable_name
    from transforms.reference import load_municipalities
    from transforms.store import inbox_files, process_inbox_file

    contracts, municipalities = load_source_contracts(), load_municipalities()
    owner = load_departments()[department]
    outcomes, crashed = [], []
    seen = set(file_names)
    # What the sensor saw and is still there: an earlier try of this task may have taken some.
    for path in [path for path in inbox_files(department) if readable_name(path.name) in seen]:
        name = readable_name(path.name)
        try:
            submission = process_inbox_file(path, owner, contracts, municipalities)
        except Exception:
            # One broken file must not hold back the others; the task fails after the rest are filed.
            log.exception("odl store: could not process %s", name)
            crashed.append(name)
            continue
        outcomes.append(asdict(submission))
        log.info(
            "odl store: %s → %s (dataset=%s rows=%s errors=%s report=%s)",
            name,
            submission.outcome,
            submission.dataset,
            submission.rows,
            submission.errors,
            submission.report_path,
        )
        if submission.outcome == "accepted" and submission.dataset and outlet_events is not None:
            extra = {"rows": submission.rows, "sha256": submission.sha256, "original_name": name}
            outlet_events[raw_alias(department)].add(raw_asset(submission.dataset), extra=extra)
    counts = {
        outcome: sum(o["outcome"] == outcome for o in outcomes) for outcome in ("accepted", "rejected", "duplicate")
    }
    log.info("odl store summary for %s: %s", department, counts)
    if crashed:
        raise RuntimeError(f"could not process {crashed}; the other files were filed")
    return outcomes
