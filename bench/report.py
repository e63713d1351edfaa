"""Results and targets of a benchmark run, as bench/results.json and bench/results.md."""

import json
from pathlib import Path
from typing import Any

GIB_MB = 1024.0
MB = 1024 * 1024
# Method names the targets refer to.
CHECK_CSF = "odl check (csf-wild-boar, cp932)"
CHECK_TOURISM = "odl check (tourism-facilities, cp932)"
CONNECT_CSF = "connect: normalise, join, validate (csf-wild-boar)"
CONNECT_TOURISM = "connect: normalise, join, validate (tourism-facilities)"
PUBLISH = "odl publish loader (COPY + swap) into the DataStore"
RELOAD = "odl publish loader, reload with 2 % of rows changed (in place + swap)"
UPSERT = "ckanapi datastore_upsert, 250-row batches (AirCan's path)"
XLOADER = "ckanext-xloader 2.5.2, upload to complete"
FLOOR = "psql \\copy into a plain table (floor)"
DAG_PARSE = "parse all DAG files (DagBag)"
END_TO_END = "end to end: inbox → datastore_search (10k rows, scheduler)"


def result(
    method: str,
    rows: int,
    seconds: float | None,
    peak_rss_mb: float | None = None,
    note: str = "",
) -> dict[str, Any]:
    """One row of results; seconds None means not measured (note says why)."""
    return {
        "method": method,
        "rows": rows,
        "seconds": None if seconds is None else round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds and rows else None,
        "ratio_to_floor": None,
        "peak_rss_mb": None if peak_rss_mb is None else round(peak_rss_mb, 1),
        "note": note,
    }


def not_available(method: str, rows: int, why: str) -> dict[str, Any]:
    return result(method, rows, None, None, f"not available: {why}")


def with_ratios(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ratio_to_floor: seconds per row of each method over the floor's (1.0 is as fast as COPY)."""
    floor = next((r for r in results if r["method"] == FLOOR and r["rows_per_s"]), None)
    out = []
    for row in results:
        ratio = None
        if floor and row["rows_per_s"]:
            ratio = round(floor["rows_per_s"] / row["rows_per_s"], 2)
        out.append(row | {"ratio_to_floor": ratio})
    return out


def targets(results: list[dict[str, Any]], full_size: int) -> list[dict[str, Any]]:
    """Every target of issue 8; measured and met are None where a measurement is not available."""
    by = {r["method"]: r for r in results}

    def rate(method: str) -> float | None:
        row = by.get(method)
        return row["rows_per_s"] if row else None

    def seconds(method: str) -> float | None:
        row = by.get(method)
        return row["seconds"] if row else None

    def ratio(numerator: float | None, denominator: float | None) -> float | None:
        return round(numerator / denominator, 2) if numerator and denominator else None

    found: list[dict[str, Any]] = []

    def add(name: str, wanted: str, measured: float | None, met: bool | None) -> None:
        found.append({"name": name, "target": wanted, "measured": measured, "met": met})

    publish_vs_floor = ratio(rate(FLOOR), rate(PUBLISH))  # time per row, publish over floor
    add("publish time per row vs COPY floor", "<= 2x", publish_vs_floor, _at_most(publish_vs_floor, 2))
    # Issue 6: ≥ 100k rows/s into the DataStore for 1M rows, for a first load and for a reload.
    for method in (PUBLISH, RELOAD):
        add(f"{method}: rows/s", ">= 100000", rate(method), _at_least(rate(method), 100_000))
    publish_vs_upsert = ratio(rate(PUBLISH), rate(UPSERT))
    add("publish rows/s vs API upsert rows/s", ">= 20x", publish_vs_upsert, _at_least(publish_vs_upsert, 20))
    # Both load the same rows, so the ratio of seconds is the speed-up to fully loaded.
    publish_vs_xloader = ratio(seconds(XLOADER), seconds(PUBLISH))
    add("publish speed-up over xloader to fully loaded", ">= 2x", publish_vs_xloader, _at_least(publish_vs_xloader, 2))
    for method in (CHECK_CSF, CHECK_TOURISM):
        add(f"{method}: rows/s", ">= 100000", rate(method), _at_least(rate(method), 100_000))
    for row in results:
        if row["rows"] >= full_size and row["peak_rss_mb"] is not None:
            add(
                f"{row['method']}: peak RSS MB", "<= 2048", row["peak_rss_mb"], _at_most(row["peak_rss_mb"], GIB_MB * 2)
            )
    # Issue 14: a first load with the search index ready within 3x the floor; the in-place reload >= 200k rows/s.
    add(
        "first load with the search index ready vs COPY floor", "<= 3x", publish_vs_floor, _at_most(publish_vs_floor, 3)
    )
    add(f"{RELOAD}: rows/s (issue 14)", ">= 200000", rate(RELOAD), _at_least(rate(RELOAD), 200_000))
    add("all DAG files parse, seconds", "<= 1", seconds(DAG_PARSE), _at_most(seconds(DAG_PARSE), 1))
    add("end-to-end latency, seconds", "<= 60", seconds(END_TO_END), _at_most(seconds(END_TO_END), 60))
    return found


def _at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def render_markdown(report: dict[str, Any], notes: list[str], by_hand: str = "") -> str:
    """results.md: the tables, then by_hand (sections measured by hand, as written), the load table, the notes."""
    machine = report["machine"]
    lines = [
        "# odl benchmark results",
        "",
        "Written by `make bench` (bench/run.py); every measurement is the median of "
        f"{machine.get('repeats', 3)} runs in fresh processes, peak RSS the largest of them.",
        "",
        "Machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()),
        "",
        "| method | rows | seconds | rows/s | ratio to floor | peak RSS MB | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["results"]:
        cells = [
            r["method"],
            f"{r['rows']:,}",
            _cell(r["seconds"]),
            _cell(r["rows_per_s"], thousands=True),
            _cell(r["ratio_to_floor"]),
            _cell(r["peak_rss_mb"]),
            r.get("note", ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| target | wanted | measured | met |", "|---|---|---:|---|"]
    for t in report["targets"]:
        met = "not measured" if t["met"] is None else "yes" if t["met"] else "**NO**"
        lines.append(f"| {t['name']} | {t['target']} | {_cell(t['measured'])} | {met} |")
    if report.get("search_options"):
        lines += render_search_options(report["search_options"])
    if by_hand.strip():
        lines += ["", by_hand.strip()]
    if report.get("load"):
        lines += render_load(report["load"])
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


SEARCH_OPTION_ORDER = ("a", "b", "c", "d")


def search_targets(found: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 14 through CKAN's HTTP API: datastore_search q p95 <= 100 ms per word length on the 1M-row table,
    odl_record_search p95 <= 500 ms over 20 tables of 100k rows (the worst word length)."""
    http = found.get("http", {})
    out = []
    q = http.get("datastore_search_q", {}).get("queries", {})
    for length in ("1", "2", "4"):
        p95 = q.get(length, {}).get("p95_ms")
        out.append(
            {
                "name": f"datastore_search q p95 ms, {length}-character words (1M rows)",
                "target": "<= 100",
                "measured": p95,
                "met": _at_most(p95, 100),
            }
        )
    records = http.get("odl_record_search", {})
    worst = max((v["p95_ms"] for v in records.get("queries", {}).values()), default=None)
    out.append(
        {
            "name": f"odl_record_search p95 ms ({records.get('tables', 20)} tables of "
            f"{records.get('rows_per_table', 100_000):,} rows, worst word length)",
            "target": "<= 500",
            "measured": worst,
            "met": _at_most(worst, 500),
        }
    )
    return out


def render_search_options(found: dict[str, Any]) -> list[str]:
    """Issue 14's comparison (bench/search_options.py): load cost, sizes and query times per index option."""
    rows, data_mb = found.get("rows", 0), found.get("data_table_bytes", 0) / MB
    lines = [
        "",
        "## Japanese search: index options (issue 14)",
        "",
        f"{rows:,} rows of the publish step's table ({data_mb:.0f} MB of data columns); "
        "`python -m bench.search_options`, one run. Fill: computing and writing the search columns "
        "(for (a) the loader's own phases, Python included; for the others a CREATE TABLE AS beyond the "
        "data columns). Queries: for each length, "
        f"{len(next(iter(found.get('words', {}).values()), []))} words drawn from the table's own text, "
        "each run as CKAN does it: `count(*)` for `total`, then the first 100 rows ordered by rank "
        "(whole cell first, then earliest column); times are both together, after three untimed words.",
        "",
        "| option | fill s | index build s | table MB | index MB | index / data table | "
        "1 char p50 / p95 ms | 2 chars p50 / p95 ms | 4 chars p50 / p95 ms | median rows matched (1 / 2 / 4) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key in SEARCH_OPTION_ORDER:
        option = found.get("options", {}).get(key)
        if option is None:
            continue
        queries = option.get("queries", {})
        times = [
            f"{queries[length]['p50_ms']} / {queries[length]['p95_ms']}" if length in queries else "–"
            for length in ("1", "2", "4")
        ]
        matched = " / ".join(f"{queries[length]['median_rows']:,}" for length in ("1", "2", "4") if length in queries)
        ratio = option["index_bytes"] / found["data_table_bytes"] if found.get("data_table_bytes") else None
        cells = [
            f"({key}) {option['name']}",
            _cell(option.get("fill_seconds")),
            _cell(option.get("index_seconds")),
            f"{option.get('table_bytes', 0) / MB:.0f}",
            f"{option.get('index_bytes', 0) / MB:.0f}",
            "–" if ratio is None else f"{ratio:.2f}",
            *times,
            matched,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    phases = found.get("options", {}).get("a", {}).get("load_phases")
    if phases:
        lines += ["", "Loader phases of (a), seconds: " + ", ".join(f"{k} {v}" for k, v in phases.items()) + "."]
    http = found.get("http", {})
    calls = [
        ("`datastore_search` q, limit 100, on the 1M-row table", http.get("datastore_search_q")),
        (
            "`odl_record_search` q over {tables} public tables of {rows:,} rows".format(
                tables=http.get("odl_record_search", {}).get("tables", "–"),
                rows=http.get("odl_record_search", {}).get("rows_per_table", 0),
            ),
            http.get("odl_record_search"),
        ),
    ]
    if any(measured for _, measured in calls):
        lines += [
            "",
            "Through CKAN's HTTP API (ckanext-odl answers both; the same kind of words, warmed once, p50 / p95 ms):",
            "",
            "| call | 1 char | 2 chars | 4 chars |",
            "|---|---:|---:|---:|",
        ]
        for name, measured in calls:
            queries = (measured or {}).get("queries", {})
            cells = [
                f"{queries[n]['p50_ms']} / {queries[n]['p95_ms']}" if n in queries else "–" for n in ("1", "2", "4")
            ]
            lines.append("| " + " | ".join([name, *cells]) + " |")
    return lines


def load_targets(load: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 15 on the front door, for the well-behaved citizens only: beside the abusers p95 <= 500 ms and
    no error (a 429 included), and requests/s within 20 % of the run without abusers."""
    from bench.load_test import FRONT_DOOR

    citizens = {bool(run["abusers"]): run["citizen"] for run in load.get("runs", []) if run["system"] == FRONT_DOOR}
    alone, abused = citizens.get(False), citizens.get(True)
    p95 = abused["p95_ms"] if abused else None
    errors = abused["errors"] if abused else None
    pace = ratio_of(abused["requests_per_s"], alone["requests_per_s"]) if abused and alone else None
    return [
        {
            "name": "load: citizens' p95 ms beside the abusers",
            "target": "<= 500",
            "measured": p95,
            "met": _at_most(p95, 500),
        },
        {
            "name": "load: citizens' errors beside the abusers (429 included)",
            "target": "0",
            "measured": errors,
            "met": None if errors is None else errors == 0,
        },
        {
            "name": "load: citizens' requests/s beside the abusers over alone",
            "target": ">= 0.8",
            "measured": pace,
            "met": _at_least(pace, 0.8),
        },
    ]


def ratio_of(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator / denominator, 2) if numerator is not None and denominator else None


def render_load(load: dict[str, Any]) -> list[str]:
    """Issue 15's table (bench/load_test.py): the citizens' figures of each run, the abusers' outcomes beside."""
    lines = [
        "",
        "## Load and abuse (issue 15)",
        "",
        f"Locust {next((run.get('locust') for run in load.get('runs', [])), '')}, headless, one process per run: "
        f"{load.get('citizens')} well-behaved citizens for {load.get('seconds')} s (package_search "
        "in Japanese words from the catalog's titles and tags, package_show, datastore_search with filters and with "
        "Japanese `q`, CSV downloads; 1–3 s between calls), alone and beside "
        f"{load.get('abusers')} abusers (`datastore_search_sql` of `count(*)` over generate_series(1,1000000000), "
        "datastore_search at offsets of 100k–10M, full DataStore dumps, bursts of 30 calls without waiting; "
        "0.1–0.5 s between attacks), each client from a loopback address of its own. Against the front door "
        "(the stack's URL) and against CKAN as it was (a stock gunicorn, 2 sync workers, timeout 120, no nginx, "
        "started by the step on the same databases). Percentiles are over every citizen request, failed and late "
        "ones included (a citizen waits 30 s at most); requests/s counts answers within the run. "
        "`python -m bench.run --only load`.",
        "",
    ]
    from bench.load_test import ABUSE_KINDS

    if set(load.get("abuse", ABUSE_KINDS)) != set(ABUSE_KINDS):
        lines += [f"Abusers limited to: {', '.join(load['abuse'])} (of {', '.join(ABUSE_KINDS)}).", ""]
    lines += [
        "| system | abusers | citizen requests | requests/s | p50 ms | p95 ms | p99 ms | max ms | citizen errors "
        "| abusers' requests (p50 ms): outcomes | load average before → after | machine CPU busy % "
        "| Locust CPU % mean / max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---|",
    ]
    for run in load.get("runs", []):
        citizen, abuser = run["citizen"], run.get("abuser")
        errors = str(citizen["errors"]) + _kinds(citizen["errors_by_kind"])
        if abuser:
            answered = abuser["requests"] - abuser["errors"]
            outcomes = f"{abuser['requests']:,} ({_cell(abuser['p50_ms'])}): ok {answered:,}" + "".join(
                f", {kind} {count:,}" for kind, count in abuser["errors_by_kind"].items()
            )
        else:
            outcomes = "–"
        cells = [
            run["system"],
            str(run["abusers"]),
            f"{citizen['requests']:,}",
            _cell(citizen["requests_per_s"]),
            _cell(citizen["p50_ms"]),
            _cell(citizen["p95_ms"]),
            _cell(citizen["p99_ms"]),
            _cell(citizen["max_ms"]),
            errors,
            outcomes,
            f"{_cell(run.get('load_average_before'))} → {_cell(run.get('load_average_after'))}",
            _cell(run.get("machine_cpu_busy_percent")),
            f"{_cell(run.get('generator_cpu_percent_mean'))} / {_cell(run.get('generator_cpu_percent_max'))}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += _load_calls(load.get("runs", []))
    removed = load.get("stock_settings_removed")
    if removed is not None:
        lines += [
            "",
            "CKAN as it was: its ini is state/ckan.ini without "
            + (", ".join(f"`{key}`" for key in removed) if removed else "anything (no limit settings were found in it)")
            + ".",
        ]
    if load.get("stock_failure"):
        lines += ["", f"CKAN as it was could not be measured: {load['stock_failure']}"]
    if load.get("conditions"):
        lines += ["", "Run conditions:", ""] + [f"- {condition}" for condition in load["conditions"]]
    return lines


def _load_calls(runs: list[dict[str, Any]]) -> list[str]:
    """Citizens' p95 ms by call in each run (errors in brackets): where the time goes."""
    names = sorted({name for run in runs for name in run["citizen"].get("calls", {})})
    if not names:
        return []
    heads = [f"{run['system']}, {run['abusers']} abusers" for run in runs]
    lines = ["", "Citizens' p95 ms by call (errors):", "", "| call | " + " | ".join(heads) + " |"]
    lines.append("|---|" + "---:|" * len(runs))
    for name in names:
        cells = []
        for run in runs:
            call = run["citizen"].get("calls", {}).get(name)
            cells.append(
                "–" if not call else _cell(call["p95_ms"]) + (f" ({call['errors']})" if call["errors"] else "")
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _kinds(counts: dict[str, int]) -> str:
    return " (" + ", ".join(f"{kind} {count:,}" for kind, count in counts.items()) + ")" if counts else ""


def _cell(value: float | None, thousands: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:,}" if thousands else f"{value}"


def write(report: dict[str, Any], notes: list[str], directory: Path, by_hand: str = "") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (directory / "results.md").write_text(render_markdown(report, notes, by_hand), encoding="utf-8")
