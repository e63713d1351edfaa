"""End-to-end latency under the running scheduler: a file dropped in an inbox until datastore_search serves it.

Each run submits a new 10k-row 豚熱 file (its own 検体番号 prefix, so it is a new submission) to the
agriculture inbox the way `odl submit` does, then asks the stack's CKAN for its first sample number.
The published csf-wild-boar dataset then holds the benchmark's rows until the next real submission.
"""

import time
from pathlib import Path

from bench.ckan_side import Ckan
from bench.generate import write_csf_wild_boar
from transforms.contracts import department_by_name_or_id
from transforms.store import submit

DATASET = "csf-wild-boar"


def latency(work: Path, rows: int, run: int, timeout: float = 900) -> float:
    prefix = f"E2E{int(time.time())}{run}"
    path = write_csf_wild_boar(work / f"豚熱検査結果_e2e_{prefix}.csv", rows, seed=run, prefix=prefix)
    ckan = Ckan()
    started = time.perf_counter()
    submit(path, department_by_name_or_id("agriculture"), DATASET)
    first = f"{prefix}-{1:07d}"
    while time.perf_counter() - started < timeout:
        if _serves(ckan, first):
            seconds = time.perf_counter() - started
            path.unlink()
            return seconds
        time.sleep(1)
    raise TimeoutError(f"{first} not served by datastore_search within {timeout:.0f} s")


def _serves(ckan: Ckan, sample: str) -> bool:
    try:
        package = ckan.call("package_show", {"id": DATASET})
    except RuntimeError:
        return False
    for resource in package.get("resources", []):
        if not resource.get("datastore_active"):
            continue
        try:
            found = ckan.call(
                "datastore_search", {"resource_id": resource["id"], "filters": {"検体番号": sample}, "limit": 1}
            )
        except RuntimeError:
            continue
        if found.get("total"):
            return True
    return False
