"""`make bench`: odl side by side with the API-upsert loader, ckanext-xloader and the PostgreSQL COPY floor.

Writes bench/results.md and bench/results.json. Every measurement runs in fresh child processes
(`--repeats`, default 3): the median time and the largest peak RSS are reported. Development runs:
`python -m bench.run --rows 20000` (or BENCH_ROWS=20000); committed results come from 1,000,000.
`--only STEP…` runs those steps alone and keeps the rest of the committed results (e.g. `--only load`,
issue 15's load and abuse test, about five minutes; `--load-seconds 10` for a short try).
"""

import argparse
import csv
import json
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import ckan_side, load_test, report
from bench.generate import write_csf_wild_boar, write_tourism_facilities
from bench.measure import Run, median, run_child

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "work"
VENV_BIN = Path(sys.executable).parent
PYTHON = str(VENV_BIN / "python")
FULL_ROWS = 1_000_000
UPSERT_ROWS, UPSERT_BATCH = 100_000, 250
RECORD_SEARCH_TABLES, RECORD_SEARCH_ROWS = 20, 100_000  # issue 14: odl_record_search over 20 tables of 100k rows
END_TO_END_ROWS = 10_000
PUBLISHED = "csf-wild-boar"  # the published dataset whose final CSV every loader loads
STEPS = ("check", "connect", "publish", "search", "reload", "floor", "upsert", "xloader", "dags", "e2e", "load")
FILE_STEPS = {"check", "connect", "publish", "search", "reload", "floor", "upsert", "xloader"}  # need the 1M-row files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", FULL_ROWS)))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 3)))
    parser.add_argument("--skip", nargs="*", default=[], choices=STEPS, metavar="STEP", help=" ".join(STEPS))
    parser.add_argument(
        "--only", nargs="*", choices=STEPS, metavar="STEP", help="run these steps only; keep the other results"
    )
    parser.add_argument("--load-seconds", type=int, default=load_test.SECONDS, help="length of each load run")
    parser.add_argument("--load-url", help="the system under test of the load step (default: the stack's CKAN)")
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where results.md/json go")
    parser.add_argument("--render", action="store_true", help="rewrite results.md from results.json and analysis.md")
    args = parser.parse_args(argv)
    if args.render:
        written = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        report.write(written, missed_notes(written["targets"]) + analysis(), args.out, by_hand())
        return 0
    bench = Bench(args.rows, args.repeats, skipped(args.only, args.skip), args.load_seconds, args.load_url)
    load_before = os.getloadavg()
    results = bench.run_all()
    results = report.with_ratios(results)
    machine = machine_facts(args.repeats, load_before, os.getloadavg())
    full: dict[str, Any] = {"machine": machine, "results": results}
    if bench.search_options:
        full["search_options"] = bench.search_options
    if bench.load:
        full["load"] = bench.load
    if args.only and (args.out / "results.json").exists():
        full = kept_with(json.loads((args.out / "results.json").read_text(encoding="utf-8")), full)
    full["targets"] = all_targets(full)
    notes = bench.notes + missed_notes(full["targets"]) + analysis()
    report.write(full, notes, args.out, by_hand())
    print(report.render_markdown(full, notes, by_hand()))
    return 0


def skipped(only: list[str] | None, skip: list[str]) -> set[str]:
    return set(STEPS) - set(only) if only else set(skip)


def kept_with(previous: dict[str, Any], measured: dict[str, Any]) -> dict[str, Any]:
    """`--only`: the committed results with what this run measured in place of theirs (rows by method);
    the machine facts stay those of the committed run (the load section carries its own conditions)."""
    methods = {row["method"] for row in measured["results"]}
    rows = [row for row in previous.get("results", []) if row["method"] not in methods] + measured["results"]
    sections = {key: measured[key] for key in ("search_options", "load") if key in measured}
    return previous | sections | {"results": rows}


def all_targets(full: dict[str, Any]) -> list[dict[str, Any]]:
    found = report.targets(full["results"], FULL_ROWS)
    if full.get("search_options"):
        found += report.search_targets(full["search_options"])
    return found + report.load_targets(full.get("load") or {})


class Bench:
    def __init__(
        self,
        rows: int,
        repeats: int,
        skip: set[str],
        load_seconds: int = load_test.SECONDS,
        load_url: str | None = None,
    ) -> None:
        self.rows, self.repeats, self.skip = rows, repeats, skip
        self.load_seconds, self.load_url = load_seconds, load_url
        self.results: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.search_options: dict[str, Any] | None = None
        self.load: dict[str, Any] | None = None
        self.last_output: dict[str, Any] = {}  # what the last measured child printed
        WORK_DIR.mkdir(parents=True, exist_ok=True)

    def run_all(self) -> list[dict[str, Any]]:
        # The generated submissions only when a step uses them (`--only load` makes none).
        uses_files = bool(FILE_STEPS - self.skip)
        if uses_files:
            csf = self.submission("豚熱検査結果", write_csf_wild_boar)
            tourism = self.submission("観光施設一覧", write_tourism_facilities)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("check", lambda: self.check(csf, tourism)),
            ("connect", lambda: self.connect(csf, tourism)),
            ("dags", self.dag_parse),
        ]
        for name, step in steps:
            if name not in self.skip:
                step()
        if uses_files:
            self.loaders(csf)
        if "e2e" not in self.skip:
            self.end_to_end()
        if "load" not in self.skip:
            self.load_test()
        self.clean_up()
        return self.results

    def loaders(self, csf: Path) -> None:
        final = self.prepare(csf)
        loaders: list[tuple[str, Callable[[Path, Path], None]]] = [
            ("floor", self.floor),
            ("publish", self.publish),
            ("reload", self.reload),
            ("upsert", self.upsert),
            ("xloader", self.xloader),
        ]
        for name, loader in loaders:
            if name in self.skip:
                continue
            if final is None:
                self.results.append(report.not_available(_loader_method(name), self.rows, "no curated data"))
            else:
                loader(*final)

    # ---- inputs

    def submission(self, stem: str, write: Callable[[Path, int], Path]) -> Path:
        path = WORK_DIR / f"{stem}_{self.rows}.csv"
        if not path.exists():
            started = time.perf_counter()
            write(path.with_suffix(".tmp"), self.rows).rename(path)
            print(f"generated {path.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return path

    def prepare(self, csf: Path) -> tuple[Path, Path] | None:
        """The curated Parquet and the published CSV of csf-wild-boar, made once by the pipeline's own code."""
        parquet, final = (
            WORK_DIR / f"curated_{PUBLISHED}_{self.rows}.parquet",
            WORK_DIR / f"{PUBLISHED}_{self.rows}.csv",
        )
        if parquet.exists() and final.exists():
            return parquet, final
        try:
            run_child(
                [PYTHON, "-m", "bench.steps", "prepare", str(csf), "csf-wild-boar", PUBLISHED, str(parquet), str(final)]
            )
        except RuntimeError as failure:
            self.notes.append(f"curated data could not be made: {_last_line(failure)}")
            return None
        return parquet, final

    # ---- measurements

    def measured(
        self, method: str, rows: int, command: list[str], seconds_of: Callable[[Run], float] | None = None
    ) -> dict[str, Any]:
        """Median of the runs (the child's own figure when seconds_of says so) and the largest peak RSS."""
        try:
            runs = [run_child(command, env=_env()) for _ in range(self.repeats)]
        except RuntimeError as failure:
            row = report.not_available(method, rows, _last_line(failure))
        else:
            seconds = median([seconds_of(run) if seconds_of else run.seconds for run in runs])
            row = report.result(method, rows, seconds, max(run.peak_rss_mb for run in runs))
            self.last_output = runs[-1].output
        self.results.append(row)
        print(f"{method}: {row['seconds']} s, {row['peak_rss_mb']} MB {row['note']}", file=sys.stderr)
        return row

    def check(self, csf: Path, tourism: Path) -> None:
        for path, dataset, method in (
            (csf, "csf-wild-boar", report.CHECK_CSF),
            (tourism, "tourism-facilities", report.CHECK_TOURISM),
        ):
            self.measured(
                method, self.rows, [str(VENV_BIN / "odl"), "check", str(path), "--dataset", dataset, "--json"]
            )

    def connect(self, csf: Path, tourism: Path) -> None:
        for path, dataset, method in (
            (csf, "csf-wild-boar", report.CONNECT_CSF),
            (tourism, "tourism-facilities", report.CONNECT_TOURISM),
        ):
            row = self.measured(
                method, self.rows, [PYTHON, "-m", "bench.steps", "connect", str(path), dataset], _own_seconds
            )
            if row["seconds"] is not None:
                row["note"] = "seconds inside the call (imports excluded); peak RSS of the whole process"

    def floor(self, parquet: Path, final: Path) -> None:
        header = _header(final)
        runs = []
        try:
            for _ in range(self.repeats):
                ckan_side.prepare_floor(PUBLISHED, header)
                runs.append(run_child(ckan_side.copy_floor_command(final)))
        finally:
            ckan_side.drop_floor()
        rows = _data_rows(final)
        self.results.append(
            report.result(
                report.FLOOR,
                rows,
                median([r.seconds for r in runs]),
                note="psql process; the server's memory is not counted",
            )
        )

    def publish(self, parquet: Path, final: Path) -> None:
        note = (
            "read the curated Parquet + COPY, search columns (`_odl_search`, `_odl_grams` + GIN), indexes, swap; "
            "peak RSS of the loader process"
        )
        self.odl_loader(report.PUBLISH, "publish", parquet, final, note)
        detail = self.last_output.get("detail", {})
        if "search" not in self.skip and detail.get("resource_id"):
            self.search(str(detail["resource_id"]), detail.get("phases") or {}, parquet)

    def search(self, resource_id: str, phases: dict[str, float], parquet: Path) -> None:
        """Issue 14 on the table the last publish run loaded (before the reload reuses it): the index
        options side by side, then `datastore_search` q on it and `odl_record_search` through CKAN."""
        phases_file = WORK_DIR / "publish_phases.json"
        phases_file.write_text(json.dumps(phases), encoding="utf-8")
        steps = {
            "options": [PYTHON, "-m", "bench.search_options", resource_id, str(phases_file)],
            "datastore_search_q": [PYTHON, "-m", "bench.search_http", "q", resource_id],
            "odl_record_search": [
                PYTHON,
                "-m",
                "bench.search_http",
                "records",
                str(parquet),
                str(RECORD_SEARCH_TABLES),
                str(min(RECORD_SEARCH_ROWS, self.rows)),
            ],
        }
        found: dict[str, Any] = {}
        for name, command in steps.items():
            try:
                found[name] = run_child(command, env=_env()).output
            except RuntimeError as failure:
                self.notes.append(f"search: {name} not measured: {_last_line(failure)}")
        options = found.pop("options", None)
        if options or found:
            self.search_options = (options or {}) | {"http": found}

    def reload(self, parquet: Path, final: Path) -> None:
        note = (
            "read the curated Parquet + COPY, compare with the kept version, delete and insert the rows that "
            "differ, swap; two untimed loads before each run"
        )
        self.odl_loader(report.RELOAD, "reload", parquet, final, note)

    def odl_loader(self, method: str, step: str, parquet: Path, final: Path, note: str) -> None:
        """A bench.steps loader step, timed by the child from reading the Parquet to the swap."""
        command = [PYTHON, "-m", "bench.steps", step, str(parquet), PUBLISHED]
        row = self.measured(method, _data_rows(final), command, _load_seconds)
        if row["seconds"] is not None:
            phases = self.last_output.get("detail", {}).get("phases") or {}
            timed = ", ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items())
            row["note"] = f"{note}; seconds by phase in the last run: {timed}" if timed else note

    def upsert(self, parquet: Path, final: Path) -> None:
        rows = min(UPSERT_ROWS, _data_rows(final))
        ckan = ckan_side.Ckan()
        runs = []
        try:
            for _ in range(self.repeats):
                # A fresh table each time: upserting rows that exist already would measure updates.
                resource_id = ckan_side.upsert_target(ckan, PUBLISHED, _header(final))
                command = [
                    PYTHON,
                    "-m",
                    "bench.steps",
                    "upsert",
                    str(final),
                    resource_id,
                    str(rows),
                    str(UPSERT_BATCH),
                    ckan.url,
                ]
                runs.append(run_child(command, env=_env()))
        except RuntimeError as failure:
            self.results.append(report.not_available(report.UPSERT, rows, _last_line(failure)))
            return
        seconds = median([_own_seconds(run) for run in runs])
        self.results.append(
            report.result(
                report.UPSERT,
                rows,
                seconds,
                max(r.peak_rss_mb for r in runs),
                note=f"first {rows:,} rows of the same CSV",
            )
        )

    def xloader(self, parquet: Path, final: Path) -> None:
        rows = _data_rows(final)
        try:
            with ckan_side.xloader_twin(WORK_DIR / "xloader") as ini:
                seconds = [ckan_side.xloader_load(ini, final, run, rows) for run in range(1, self.repeats + 1)]
        except (RuntimeError, TimeoutError, OSError, subprocess.CalledProcessError) as failure:
            traceback.print_exc()
            self.results.append(report.not_available(report.XLOADER, rows, _last_line(failure)))
            return
        self.results.append(
            report.result(
                report.XLOADER,
                rows,
                median(seconds),
                note="upload + `ckan xloader submit --sync` (its COPY path, every column text, kanji headers kept); "
                "includes the CLI's CKAN start-up",
            )
        )

    def dag_parse(self) -> None:
        code = (
            "import json, time, sys; sys.path[:0] = ['plugins', 'dags']; "
            "from airflow.dag_processing.dagbag import DagBag; "
            "started = time.perf_counter(); bag = DagBag('dags'); "
            "assert not bag.import_errors, bag.import_errors; "
            "print(json.dumps({'seconds': time.perf_counter() - started, 'dags': len(bag.dags)}))"
        )
        env = _env() | {"AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW_HOME": str(WORK_DIR / "airflow-home")}
        try:
            runs = [run_child([PYTHON, "-c", code], env=env) for _ in range(self.repeats)]
        except RuntimeError as failure:
            self.results.append(report.not_available(report.DAG_PARSE, 0, _last_line(failure)))
            return
        dags = runs[0].output.get("dags")
        self.results.append(
            report.result(
                report.DAG_PARSE,
                0,
                median([_own_seconds(r) for r in runs]),
                note=f"{dags} DAGs from dags/, imports of Airflow excluded",
            )
        )

    def end_to_end(self) -> None:
        """A 10k-row file submitted to the agriculture inbox; seconds until datastore_search serves its rows."""
        from bench.end_to_end import latency

        try:
            seconds = [latency(WORK_DIR, END_TO_END_ROWS, run) for run in range(self.repeats)]
        except (RuntimeError, TimeoutError, OSError, KeyError) as failure:
            self.results.append(report.not_available(report.END_TO_END, END_TO_END_ROWS, _last_line(failure)))
            return
        self.results.append(
            report.result(
                report.END_TO_END,
                END_TO_END_ROWS,
                median(seconds),
                note="store → connect → create DAGs under the running scheduler",
            )
        )

    def load_test(self) -> None:
        """Issue 15: citizens alone and beside abusers, on the front door and on CKAN as it was."""
        cpu_before = cpu_seconds()
        try:
            url = self.load_url or ckan_side.Ckan().url
            self.load = load_test.measure(url, load_test.published_dataset_names(), self.load_seconds)
        except (RuntimeError, TimeoutError, OSError, subprocess.CalledProcessError) as failure:
            traceback.print_exc()
            self.notes.append(f"load: not measured: {_last_line(failure)}")
            return
        self.load["conditions"] = load_conditions(self.load, cpu_before)

    def clean_up(self) -> None:
        try:
            ckan = ckan_side.Ckan()
            ckan_side.purge_scratch(ckan)
            for name in (f"odl-bench-{PUBLISHED}",):  # the publish loader's scratch dataset
                if ckan.exists("package_show", name):
                    ckan_side.purge_dataset(ckan, name)
        except (RuntimeError, OSError) as failure:
            self.notes.append(f"clean-up incomplete: {_last_line(failure)}")


def _loader_method(name: str) -> str:
    methods = {"floor": report.FLOOR, "publish": report.PUBLISH, "reload": report.RELOAD}
    return (methods | {"upsert": report.UPSERT, "xloader": report.XLOADER})[name]


def _own_seconds(run: Run) -> float:
    return float(run.output["seconds"])


def _load_seconds(run: Run) -> float:
    detail = run.output["detail"]
    return float(detail["read_seconds"]) + float(detail["load_seconds"])


def _header(final: Path) -> list[str]:
    with final.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def _data_rows(final: Path) -> int:
    with final.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b"")) - 1


def _env() -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(REPO_ROOT)}


def _last_line(failure: BaseException) -> str:
    lines = [line.strip() for line in str(failure).strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else type(failure).__name__


def load_conditions(load: dict[str, Any], cpu_before: dict[str, float]) -> list[str]:
    """What the load runs shared the machine with: load averages, and CPU seconds by command during the step."""
    averages = [run.get("load_average_before") for run in load["runs"]] + [load["runs"][-1].get("load_average_after")]
    used = cpu_seconds_by_command(cpu_before)
    busiest = sorted(used.items(), key=lambda item: -item[1])[:8]
    return [
        f"{load['date']}, {load['cpus']} cores; 1-minute load average before each run and after the last: "
        + ", ".join(str(a) for a in averages)
        + ".",
        "Locust (the load generator, `python`) runs on the same cores as CKAN, nginx and PostgreSQL.",
        "CPU seconds used during the step by the processes alive at its end, by command (ours included; "
        "processes that ended meanwhile, such as other test runs, are missing here but not from the busy %): "
        + ", ".join(f"{command} {seconds:.0f}" for command, seconds in busiest)
        + ".",
    ]


def cpu_seconds() -> dict[str, float]:
    """CPU seconds (user + system) of every live process, by `pid command`."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        command = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        found[f"{stat.parent.name} {command}"] = (int(fields[11]) + int(fields[12])) / tick
    return found


def cpu_seconds_by_command(before: dict[str, float]) -> dict[str, float]:
    """CPU seconds used since before, summed by command (processes that ended meanwhile are not seen)."""
    used: dict[str, float] = {}
    for key, seconds in cpu_seconds().items():
        command = key.split(" ", 1)[1]
        used[command] = used.get(command, 0.0) + seconds - before.get(key, 0.0)
    return used


def machine_facts(repeats: int, load_before: tuple[float, ...], load_after: tuple[float, ...]) -> dict[str, Any]:
    def version(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        except (OSError, subprocess.CalledProcessError, IndexError):
            return "unknown"

    memory_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgresql": version(["psql", "--version"]),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "repeats": repeats,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def missed_notes(targets: list[dict[str, Any]]) -> list[str]:
    notes = []
    for target in targets:
        if target["met"] is False:
            notes.append(f"Missed: {target['name']} — wanted {target['target']}, measured {target['measured']}.")
        elif target["met"] is None:
            notes.append(f"Not measured: {target['name']} (see the results table).")
    return notes


def by_hand() -> str:
    """Sections measured by hand (bench/by_hand.md), copied into results.md as they are, comments left out."""
    path = BENCH_DIR / "by_hand.md"
    return re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S) if path.exists() else ""


def analysis() -> list[str]:
    """Hand-written explanations kept beside the code (bench/analysis.md), one per non-empty paragraph."""
    path = BENCH_DIR / "analysis.md"
    if not path.exists():
        return []
    return [part.strip().replace("\n", " ") for part in path.read_text(encoding="utf-8").split("\n\n") if part.strip()]


if __name__ == "__main__":
    sys.exit(main())
