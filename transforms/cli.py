"""The `odl` command line: the same code the DAG tasks run, for people and scripts.

Every command exits 0 when all is well (valid), 1 when it ran and found problems (invalid, with findings),
2 when it could not run: a missing or unusable file, an --out it may not write, a usage error, anything
unexpected. Exit 2 always comes with a Japanese message (and English for engineers) on stderr, or one JSON
object on stdout with --json; an unexpected error's trace goes to a log file, never to the department.
"""

import argparse
import json
import os
import re
import socket
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from transforms import settings
from transforms.contracts import department_by_name_or_id, load_published_contracts, load_source_contracts
from transforms.files import Refused, check_output_file, check_readable_file, unreadable, write_output_file
from transforms.findings import Finding, error

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
    """Exit 0 valid, 1 readable with errors, 2 unreadable or not run: scripts rely on exactly this."""
    from transforms.reports import render_text
    from transforms.validate import check_file

    contract = load_source_contracts()[args.dataset]
    path = check_readable_file(args.file)
    out = check_output_file(args.out) if args.out is not None else None  # before the work, not after
    try:
        result = check_file(path, contract)
    except OSError as failure:
        raise unreadable(args.file, failure) from failure
    table = result.table
    if out is not None and table is not None:
        write_output_file(out, lambda temporary: table.to_csv(temporary, index=False, encoding="utf-8"))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(render_text(result, contract.title), end="")
    if result.table is None:
        return 2
    return 0 if result.valid else 1


def cmd_submit(args: argparse.Namespace) -> int:
    from transforms.contracts import load_departments
    from transforms.store import submit

    try:
        department = department_by_name_or_id(args.department)
    except KeyError as unknown:
        choices = "、".join(f"{d.name}（{d.id}）" for d in load_departments().values())
        english = f"unknown department {args.department!r}"
        raise Refused(english, "department_unknown", department=args.department, choices=choices) from unknown
    contracts = load_source_contracts()
    if args.dataset and contracts[args.dataset].department != department.id:
        english = f"{args.dataset} is not a dataset of {department.id}"
        raise Refused(english, "dataset_of_other_department", dataset=args.dataset, department=department.name)
    target = submit(args.file, department, args.dataset)
    if target.name != Path(args.file).name:
        print(
            f"ファイル名は「{target.name}」として提出しました（フォルダ名・先頭の「.」・使えない文字を除き、長い名前は短くしました）。"
        )
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
    """Exit 0 when published or unchanged, 2 when there is nothing curated to publish or CKAN failed."""
    from transforms.publish.publisher import CuratedNotFound, environment_publisher, publish_dataset

    try:
        result = publish_dataset(environment_publisher(), args.dataset, force=args.force)
    except CuratedNotFound as missing:
        print(f"odl publish: {args.dataset} には公開できる検証済みのデータがまだありません。", file=sys.stderr)
        print(f"  ({missing})", file=sys.stderr)
        return 2
    _print_publish(result)
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Exit 0 when the previous version is served again, 2 when there is none to serve."""
    from transforms.publish.datastore import DatastoreError
    from transforms.publish.publisher import environment_publisher, rollback_dataset

    try:
        result = rollback_dataset(environment_publisher(), args.dataset)
    except (DatastoreError, LookupError) as refused:
        print(f"odl rollback: {args.dataset} には戻せる以前の版がありません。", file=sys.stderr)
        print(f"  ({refused})", file=sys.stderr)
        return 2
    _print_publish(result)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Exit 0 when CKAN serves every published dataset again, 1 when any could not be restored."""
    from transforms.publish import restore
    from transforms.publish.publisher import environment_publisher

    data_root = Path(args.data) if args.data else settings.data_root()
    if not restore.has_publish_ledger(data_root):  # a mistyped --data must not look like "nothing to restore"
        print(f"odl restore: {data_root} に公開の記録（ledger/publish.jsonl）がありません。", file=sys.stderr)
        print(f"  (no publish ledger under {data_root}: not a data root odl has published from)", file=sys.stderr)
        return 2
    if args.dry_run:
        report = restore.dry_run(data_root, progress=restore.print_outcome)
    else:
        report = restore.restore(environment_publisher(data_root), progress=restore.print_outcome)
    print("\n".join(restore.summary_lines(report, dry_run=args.dry_run)))
    return 1 if report.failed else 0


# argparse's own sentences (Python 3.11), and what a department reads instead.
_USAGE_IN_JAPANESE = (
    (re.compile(r"the following arguments are required: (.+)"), "{0} を指定してください。"),
    (
        re.compile(r"argument (\S+): invalid choice: '(.*)' \(choose from (.+)\)", re.S),
        "{0} に「{1}」は指定できません。次のいずれかを指定してください: {2}。",
    ),
    (re.compile(r"argument (\S+): expected one argument"), "{0} の後に値を書いてください。"),
    (re.compile(r"unrecognized arguments: (.+)"), "{0} は知らない指定です。"),
)


def _usage_in_japanese(message: str) -> str:
    for pattern, japanese in _USAGE_IN_JAPANESE:
        found = pattern.fullmatch(message.strip())
        if found:
            return japanese.format(*(group.replace("'", "") for group in found.groups()))
    return f"コマンドの書き方が正しくありません（{message}）。"


class UsageError(Refused):
    """The command line is wrong; prog is the (sub)command it is wrong for, e.g. "odl check"."""

    def __init__(self, prog: str, english: str, detail: str):
        super().__init__(english, "usage_error", detail=detail)
        self.prog = prog


class OdlArgumentParser(argparse.ArgumentParser):
    """argparse whose usage errors are Refused (exit 2, in Japanese) instead of English text and exit."""

    def error(self, message: str) -> NoReturn:
        detail = f"{_usage_in_japanese(message)}使い方は「{self.prog} -h」で表示されます。"
        raise UsageError(self.prog, f"{self.prog}: {message}", detail)


def _with_dash_name_hint(usage: UsageError, argv: Sequence[str]) -> UsageError:
    """The usage error, plus how to pass a file whose name starts with "-" when argv seems to hold one."""
    arguments = list(argv)[: list(argv).index("--")] if "--" in argv else list(argv)
    names = [a for a in arguments if a.startswith("-") and a != "-" and ("." in a or os.path.lexists(a))]
    if not names:
        return usage
    name = names[0]
    hint = f"「{name}」のように「-」で始まるファイル名は「./{name}」と書くか、「--」の後に書いてください（例: odl check --dataset ID -- {name}）。"
    english = f"{usage} (a file name starting with '-': write ./{name} or put it after --)"
    return UsageError(usage.prog, english, f"{usage.finding.message}{hint}")


def _log_unexpected(command: str) -> Path | None:
    """The current exception's trace, written for engineers to a log file of its own; returns where."""
    try:
        folder = Path(tempfile.gettempdir()) / "odl-errors"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        log = folder / f"{stamp}-{os.getpid()}-{command}.log"
        log.write_text(f"odl {command}\n{traceback.format_exc()}", encoding="utf-8")
        return log
    except OSError:
        return None


def _print_could_not_run(finding: Finding, english: str, argv: Sequence[str], args: Any, prog: str) -> None:
    """Exit 2's message: one JSON object on stdout with --json, else Japanese then English on stderr."""
    if "--json" in argv:
        document = {
            "dataset": getattr(args, "dataset", None),
            "file": Path(args.file).name if getattr(args, "file", None) else None,
            "encoding": None,
            "format": None,
            "rows": None,
            "valid": False,
            "errors": [finding.to_dict()],
            "warnings": [],
        }
        print(json.dumps(document, ensure_ascii=False))
    else:
        print(f"{prog}: {finding.message}", file=sys.stderr)
    print(f"  ({english})", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = OdlArgumentParser(
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

    restore = commands.add_parser("restore", help="publish every dataset again from the data folder (lost CKAN)")
    restore.add_argument("--data", metavar="DIR", help="the data root (default: ODL_DATA_ROOT or ./data)")
    restore.add_argument("--dry-run", action="store_true", help="only say what would be restored; CKAN is not asked")
    restore.set_defaults(run=cmd_restore)

    listing = commands.add_parser("datasets", help="list the dataset folders and whether each is complete")
    listing.add_argument("--json", action="store_true", help="print a JSON list instead of the table")
    listing.set_defaults(run=cmd_datasets)

    doctor = commands.add_parser("doctor", help="show versions, paths and local services")
    doctor.set_defaults(run=cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code (0, 1 or 2, see the module's doc). No traceback reaches the caller."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args: Any = None
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except UsageError as usage:
            raise _with_dash_name_hint(usage, argv) from usage
        result: int = args.run(args)
        return result
    except Refused as refused:
        prog = refused.prog if isinstance(refused, UsageError) else f"odl {args.command}" if args else "odl"
        _print_could_not_run(refused.finding, str(refused), argv, args, prog)
        return 2
    except KeyboardInterrupt:
        print("中断しました (interrupted)", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Whoever read our output stopped reading (`odl check --json | head`): nothing more can reach them,
        # and the interpreter's last flush must not fail again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 2
    except Exception as failure:
        command = getattr(args, "command", None)
        log = _log_unexpected(command or "odl")
        finding = error("unexpected_error", log=log or "書けませんでした")
        english = f"{type(failure).__name__}: {failure}; trace in {log}"
        _print_could_not_run(finding, english, argv, args, f"odl {command}" if command else "odl")
        return 2


if __name__ == "__main__":
    sys.exit(main())
