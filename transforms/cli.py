"""The `odl` command line: the same code the DAG tasks run, for people and scripts."""

import argparse
import socket
import sys
from collections.abc import Sequence
from importlib import metadata

from transforms import settings

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="odl",
        description="Mie Prefecture open-data pipeline (ためる・つなぐ・つくる).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    doctor = commands.add_parser("doctor", help="show versions, paths and local services")
    doctor.set_defaults(run=cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
