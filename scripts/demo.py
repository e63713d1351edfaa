"""`make demo`: the whole library in one command, carried by Airflow's scheduler.

Brings the embedded stack up (scripts/stack), drops the deterministic sample
submissions (scripts/make_samples.py) into the department inboxes as
`odl submit` does, and then only watches: the store DAGs pick the files up,
their raw Assets start the connect DAGs, whose curated Assets start the create
DAGs. Nobody triggers anything. It ends by printing where to look and three
API calls that can be pasted as they are. Samples already archived are not
submitted again, so a second run changes nothing and returns in seconds.
"""

import json
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from scripts import stack  # noqa: E402
from transforms import settings  # noqa: E402
from transforms.contracts import load_departments, load_source_contracts  # noqa: E402
from transforms.data_layout import DataLayout  # noqa: E402
from transforms.library import DatasetStatus, library_status  # noqa: E402
from transforms.store import identify_dataset, inbox_files, sha256_of, submit  # noqa: E402

TIMEOUT_SECONDS = 600
POLL_SECONDS = 3
STAGE_TEXT = {
    "waiting": "waiting for a submission",
    "stored": "stored",
    "validated": "validated",
    "published": "published",
    "blocked": "BLOCKED",
}


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def submit_samples(data_root: Path) -> int:
    """Samples into the inboxes, skipping any already received for its dataset; returns how many went in.

    A sample goes in as a department drops it, found by the file patterns; only where the patterns
    would not route it to the dataset whose folder wrote it (a folder just copied, say) does it go
    in as `odl submit --dataset` sends it.
    """
    layout = DataLayout(data_root)
    samples = layout.samples_dir()
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "make_samples.py"), str(samples)], check=True)
    contracts, departments = load_source_contracts(), load_departments()
    submitted = 0
    for dataset_dir in sorted(path for path in samples.glob("*/*") if path.is_dir() and path.name in contracts):
        department, dataset = departments[dataset_dir.parent.name], dataset_dir.name
        for sample in sorted(dataset_dir.iterdir()):
            received = _json(layout.manifest(sha256_of(sample))).get("submissions", [])
            if any(earlier.get("dataset") == dataset for earlier in received):
                print(f"  {department.name}: {sample.name} (already received)")
                continue
            found = identify_dataset(sample, department.id, contracts)
            submit(sample, department, None if found == dataset else dataset, data_root)
            print(f"  {department.name}: {sample.name} → data/inbox/{department.id}/")
            submitted += 1
    return submitted


def _json(path: Path) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded


def is_current(dataset: DatasetStatus, data_root: Path) -> bool:
    """Published, and what is published is the latest curated version, built from the latest accepted inputs."""
    if dataset.stage != "published" or dataset.publish is None:
        return False
    if dataset.publish.outcome == "rolled_back":  # someone chose the version CKAN serves
        return True
    layout = DataLayout(data_root)
    curated = _json(layout.curated_latest(dataset.id))
    if not curated or dataset.publish.version != curated.get("version"):
        return False
    built_from = curated.get("inputs") or {}
    return all(_json(layout.raw_latest(name)).get("sha256") in (built_from.get(name), None) for name in dataset.inputs)


def wait_for_library(data_root: Path) -> list[DatasetStatus]:
    """Print each dataset's stage as it changes until every dataset is current or blocked."""
    started = time.monotonic()
    seen: dict[str, str] = {}
    while True:
        datasets = library_status(data_root).datasets
        waiting_files = sum(len(inbox_files(d)) for d in load_departments())
        for dataset in datasets:
            # A dataset whose CKAN copy is older than its newest input is still on its way.
            shown = dataset.stage
            if shown == "published" and not is_current(dataset, data_root):
                shown = "validated"
            if seen.get(dataset.id) != shown:
                seen[dataset.id] = shown
                print(f"  [{time.monotonic() - started:4.0f} s] {dataset.id:28} {STAGE_TEXT[shown]}", flush=True)
        settled = all(is_current(d, data_root) or d.stage == "blocked" for d in datasets)
        if settled and waiting_files == 0:
            return datasets
        if time.monotonic() - started > TIMEOUT_SECONDS:
            stuck = [d.id for d in datasets if not is_current(d, data_root)]
            raise SystemExit(
                f"\nStill not published after {TIMEOUT_SECONDS} s: {', '.join(stuck)} "
                f"({waiting_files} file(s) still in the inboxes). Look at the DAG runs in the Airflow UI "
                f"and at state/logs/."
            )
        time.sleep(POLL_SECONDS)


def ckan_action(ckan_url: str, action: str, **params: Any) -> Any:
    query = urllib.parse.urlencode({k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()})
    with urllib.request.urlopen(f"{ckan_url}/api/3/action/{action}?{query}", timeout=30) as response:
        return json.load(response)["result"]


def datastore_resource(ckan_url: str, dataset: str) -> str | None:
    """The dataset's DataStore resource, or None when CKAN does not have the dataset (never published)."""
    try:
        resources = ckan_action(ckan_url, "package_show", id=dataset)["resources"]
    except urllib.error.HTTPError:
        return None
    for resource in resources:
        if resource.get("datastore_active"):
            return str(resource["id"])
    return None


def add_search_columns(ckan_url: str, datasets: list[DatasetStatus]) -> None:
    """Tables published before the search columns existed get them: publishing the version CKAN serves reloads it."""
    from transforms.publish.publisher import environment_publisher, publish_dataset

    publisher = environment_publisher()
    for dataset in datasets:
        resource_id = datastore_resource(ckan_url, dataset.id) if dataset.stage == "published" else None
        served = publisher.loader.version(resource_id) if resource_id else None
        if served is not None and not served.search:
            result = publish_dataset(publisher, dataset.id)
            print(f"  {dataset.id}: search columns added ({result.rows:,} rows reloaded)")


def curl(url: str, **params: str) -> str:
    """A curl command that can be pasted as it is: Japanese and JSON go through --data-urlencode."""
    parts = ["curl", "-sG", shlex.quote(url)]
    for name, value in params.items():
        parts += ["--data-urlencode", shlex.quote(f"{name}={value}")]
    return " ".join(parts)


def example_calls(ckan_url: str) -> list[tuple[str, str]]:
    api = f"{ckan_url}/api/3/action"
    evacuation = datastore_resource(ckan_url, "evacuation-sites")
    boar = datastore_resource(ckan_url, "csf-wild-boar-monthly")
    calls = [("Search the catalog in Japanese", curl(f"{api}/package_search", q="避難", rows="5"))]
    if evacuation:
        calls.append(
            (
                "Evacuation sites in 津市 (filters)",
                curl(
                    f"{api}/datastore_search",
                    resource_id=evacuation,
                    filters=json.dumps({"市町名": "津市"}, ensure_ascii=False),
                    limit="3",
                ),
            )
        )
        calls.append(
            (
                "Evacuation sites with 小学校 anywhere in the row (Japanese substring q, best matches first)",
                curl(f"{api}/datastore_search", resource_id=evacuation, q="小学校", limit="3"),
            )
        )
    if boar:
        sql = (
            'SELECT "市町名", SUM("陽性頭数") AS "陽性頭数", SUM("検査頭数") AS "検査頭数" '
            f'FROM "{boar}" GROUP BY "市町名" ORDER BY 2 DESC LIMIT 5'
        )
        calls.append(("CSF positives by 市町 (SQL)", curl(f"{api}/datastore_search_sql", sql=sql)))
    calls.append(
        (
            "Rows with 鳥羽市 in every public dataset, grouped by dataset (横断検索)",
            curl(f"{api}/odl_record_search", q="鳥羽市", limit="2"),
        )
    )
    return calls


def print_summary(up: dict[str, dict[str, str]], datasets: list[DatasetStatus], data_root: Path) -> None:
    ckan_url, airflow = up["ckan"]["url"], up["airflow"]
    step("The library")
    print(f"  Airflow UI   {airflow['url']}  (login {airflow['login']} / {airflow['password']})")
    print(f"               Open Data Library page: {airflow['url']}/odl/ (menu: Open Data Library)")
    print(f"  CKAN         {ckan_url}")
    print(f"               Search inside every dataset: {ckan_url}/odl/search?q=鳥羽市")
    print("\n  Published datasets:")
    for dataset in datasets:
        if dataset.stage == "blocked":
            print(f"    {dataset.id:28} BLOCKED: {dataset.validation.report_html if dataset.validation else ''}")
            continue
        resource = datastore_resource(ckan_url, dataset.id)
        rows = ckan_action(ckan_url, "datastore_search", resource_id=resource, limit=0)["total"] if resource else 0
        print(f"    {dataset.id:28} {rows:>7,} rows  {ckan_url}/dataset/{dataset.id}")
    print("\n  Rejected submissions (the department's report):")
    for rejection in library_status(data_root).rejections:
        print(f"    {rejection.department_name} {rejection.file}: {rejection.errors} errors → {rejection.report_path}")
    print("\n  Try the API (paste as they are):")
    for title, command in example_calls(ckan_url):
        print(f"    # {title}\n    {command}")


def main() -> int:
    started = time.perf_counter()
    data_root = settings.data_root()
    step("Stack: PostgreSQL, Redis, CKAN + DataStore, Airflow (scripts/stack up)")
    up = stack.up()
    step("Sample submissions from the departments (scripts/make_samples.py) → inboxes")
    submitted = submit_samples(data_root)
    step(
        "Airflow carries them store → connect → create"
        + ("" if submitted else " (nothing new submitted: checking what is published)")
    )
    datasets = wait_for_library(data_root)
    add_search_columns(up["ckan"]["url"], datasets)
    print_summary(up, datasets, data_root)
    print(f"\nDone in {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
