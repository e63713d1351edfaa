"""The `odl` command line: the same code the DAG tasks run, for people and scripts."""

import argparse
import json
import socket
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from transforms import settings
from transforms.contracts import department_by_name_or_id, load_published_contracts, load_source_contracts

if TYPE_CHECKING:
    from transforms.publish.publisher import PublishResult

# Packages whose versions decide whether the pipeline works (see DESIGN.md's traps).
KEY_PACKAGES = ("apache-airflow", "great-expectations", "pandas", "pyarrow", "numpy", "ckanapi")

# Services of the embedded stack, by the port each listens on.
LOCAL_SERVICES = {
    "PostgreSQL": ("127.0.0.1", 5432),
    "Redis": ("127.0.0.1", 6379),
    "CKAN": ("127.0.0.1", 5000),
    "Airflow API server": ("127.0.0.1", 8080),
}


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print versions, paths and which local services answer; exit 1 if a key package is missing."""
    missing = []
    print("packages:")
    for name in KEY_PACKAGES:
        try:
            print(f"  {name:20} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            print(f"  {name:20} MISSING")
            missing.append(name)
    print("paths:")
    for label, path in (("data root", settings.data_root()), ("catalog", settings.catalog_dir())):
        print(f"  {label:20} {path} ({'exists' if path.exists() else 'absent'})")
    print("services:")
    for label, (host, port) in LOCAL_SERVICES.items():
        state = "up" if _port_open(host, port) else "down"
        print(f"  {label:20} {host}:{port} {state}")
    return 1 if missing else 0


def cmd_datasets(args: argparse.Namespace) -> int:
    """List the dataset folders; exit 1 when any is broken or incomplete."""
    from transforms.contracts import load_departments
    from transforms.folders import dataset_folders_status

    entries = dataset_folders_status()
    if args.json:
        print(json.dumps([entry.to_dict() for entry in entries], ensure_ascii=False, indent=2))
        return 0 if all(entry.complete for entry in entries) else 1
    departments = load_departments()
    for entry in entries:
        department = departments[entry.department].name if entry.department in departments else "-"
        state = "OK" if entry.complete else "要修正 / needs work"
        inputs = f"  ← {', '.join(entry.inputs)}" if entry.kind != "source" and entry.inputs != (entry.id,) else ""
        print(f"{entry.id:32} {entry.kind:9} {department:8} {entry.title}{inputs}  [{state}]")
        for problem in entry.problems:
            where = f"{problem['file']}" + (f" ({problem['field']})" if problem["field"] else "")
            print(f"    {where}: {problem['ja']} / {problem['en']}")
    return 0 if all(entry.complete for entry in entries) else 1


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 valid, 1 readable with errors, 2 unreadable: scripts rely on exactly this."""
    from transforms.reports import render_text
    from transforms.validate import check_file

    contract = load_source_contracts()[args.dataset]
    result = check_file(Path(args.file), contract)
    if args.out and result.table is not None:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        result.table.to_csv(args.out, index=False, encoding="utf-8")
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(render_text(result, contract.title), end="")
    if result.table is None:
        return 2
    return 0 if result.valid else 1


def cmd_submit(args: argparse.Namespace) -> int:
    from transforms.store import submit

    try:
        department = department_by_name_or_id(args.department)
    except KeyError:
        print(f"odl submit: 部署「{args.department}」はありません (unknown department)", file=sys.stderr)
        return 2
    contracts = load_source_contracts()
    if args.dataset and contracts[args.dataset].department != department.id:
        print(f"odl submit: {args.dataset} は {department.name} のデータセットではありません", file=sys.stderr)
        return 2
    target = submit(Path(args.file), department, args.dataset)
    print(f"{target} に提出しました。数分以内に取り込まれます。")
    return 0


def cmd_connect(args: argparse.Namespace) -> int:
    """Exit 0 when a version is curated or unchanged, 1 when blocked by joins or failed validation."""
    from transforms.connect.run import connect_dataset

    run = connect_dataset(args.dataset)
    print(
        json.dumps(
            {k: getattr(run, k) for k in ("dataset", "outcome", "version", "rows", "report_html")}, ensure_ascii=False
        )
    )
    if run.reason:
        print(run.reason["ja"], file=sys.stderr)
    return 0 if run.outcome in ("curated", "unchanged") else 1


def cmd_expectations(args: argparse.Namespace) -> int:
    """Write the suites generated from the published contracts; with --check, exit 1 if any is out of date."""
    from transforms.connect.suites import suite_is_current, suite_path, write_suites
    from transforms.reference import load_municipalities

    contracts, municipalities = load_published_contracts(), load_municipalities()
    if args.check:
        stale = [str(suite_path(c)) for c in contracts.values() if not suite_is_current(c, municipalities)]
        for path in stale:
            print(f"out of date: {path} (run `odl expectations`)", file=sys.stderr)
        return 1 if stale else 0
    for written in write_suites(contracts, municipalities):
        print(f"wrote {written}")
    return 0


def _print_publish(result: "PublishResult") -> None:
    print(
        json.dumps(
            {k: getattr(result, k) for k in ("dataset", "outcome", "version", "rows", "ckan_url", "change")},
            ensure_ascii=False,
        )
    )


def cmd_publish(args: argparse.Namespace) -> int:
    """Exit 0 when published or unchanged, 1 when there is nothing curated to publish; other errors raise."""
    from transforms.publish.publisher import CuratedNotFound, environment_publisher, publish_dataset

    try:
        result = publish_dataset(environment_publisher(), args.dataset, force=args.force)
    except CuratedNotFound as error:
        print(f"odl publish: {error}", file=sys.stderr)
        return 1
    _print_publish(result)
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Exit 0 when the previous version is served again, 1 when there is none."""
    from transforms.publish.datastore import DatastoreError
    from transforms.publish.publisher import environment_publisher, rollback_dataset

    try:
        result = rollback_dataset(environment_publisher(), args.dataset)
    except (DatastoreError, LookupError) as error:
        print(f"odl rollback: {error}", file=sys.stderr)
        return 1
    _print_publish(result)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="odl",
        description="Mie Prefecture open-data pipeline (ためる・つなぐ・つくる).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    datasets = sorted(load_source_contracts())

    check = commands.add_parser("check", help="check a departmental file against its dataset contract")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--dataset", required=True, choices=datasets, metavar="ID", help=", ".join(datasets))
    check.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    check.add_argument("--out", metavar="PATH", help="write the normalised table as UTF-8 CSV")
    check.set_defaults(run=cmd_check)

    submit = commands.add_parser("submit", help="put a file into a department's inbox, as an upload would")
    submit.add_argument("file", metavar="FILE")
    submit.add_argument("--department", required=True, metavar="D", help="department id or name (tourism / 観光部)")
    submit.add_argument("--dataset", choices=datasets, metavar="ID", help="say which dataset the file is")
    submit.set_defaults(run=cmd_submit)

    published = sorted(load_published_contracts())
    connect = commands.add_parser("connect", help="join and validate a published dataset from its latest inputs")
    connect.add_argument("dataset", choices=published, metavar="DATASET", help=", ".join(published))
    connect.set_defaults(run=cmd_connect)

    expectations = commands.add_parser("expectations", help="write the expectation suites from the contracts")
    expectations.add_argument("--check", action="store_true", help="only check that the committed suites are current")
    expectations.set_defaults(run=cmd_expectations)

    publish = commands.add_parser("publish", help="publish the latest curated version of a dataset to CKAN")
    publish.add_argument("dataset", choices=published, metavar="DATASET", help=", ".join(published))
    publish.add_argument("--force", action="store_true", help="reload and re-upload even if CKAN has this version")
    publish.set_defaults(run=cmd_publish)

    rollback = commands.add_parser("rollback", help="serve the previously published version of a dataset again")
    rollback.add_argument("dataset", choices=published, metavar="DATASET", help=", ".join(published))
    rollback.set_defaults(run=cmd_rollback)

    listing = commands.add_parser("datasets", help="list the dataset folders and whether each is complete")
    listing.add_argument("--json", action="store_true", help="print a JSON list instead of the table")
    listing.set_defaults(run=cmd_datasets)

    doctor = commands.add_parser("doctor", help="show versions, paths and local services")
    doctor.set_defaults(run=cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
