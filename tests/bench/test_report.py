"""The benchmark's results writer and target logic (no services, no measurements)."""

import json
from pathlib import Path

from bench import report


def _results() -> list[dict]:
    return report.with_ratios(
        [
            report.result(report.FLOOR, 1_000_000, 10.0),
            report.result(report.PUBLISH, 1_000_000, 15.0, 400.0),
            report.result(report.RELOAD, 1_000_000, 8.0),
            report.result(report.UPSERT, 100_000, 100.0, 120.0),
            report.result(report.XLOADER, 1_000_000, 45.0),
            report.result(report.CHECK_CSF, 1_000_000, 5.0, 900.0),
            report.not_available(report.CHECK_TOURISM, 1_000_000, "file missing"),
            report.result(report.DAG_PARSE, 0, 0.2),
            report.result(report.END_TO_END, 10_000, 75.0),
        ]
    )


def _target(targets: list[dict], name: str) -> dict:
    return next(t for t in targets if t["name"] == name)


def test_result_has_the_issue_fields_and_rows_per_second() -> None:
    row = report.result(report.PUBLISH, 1_000_000, 12.5, 321.04)
    assert {"method", "rows", "seconds", "rows_per_s", "ratio_to_floor", "peak_rss_mb"} <= row.keys()
    assert row["rows_per_s"] == 80_000
    assert row["peak_rss_mb"] == 321.0


def test_ratio_to_floor_is_time_per_row_over_the_floors() -> None:
    by = {r["method"]: r for r in _results()}
    assert by[report.FLOOR]["ratio_to_floor"] == 1.0
    assert by[report.PUBLISH]["ratio_to_floor"] == 1.5
    # 100k rows in 100 s against 1M rows in 10 s: 100 times slower per row.
    assert by[report.UPSERT]["ratio_to_floor"] == 100.0
    assert by[report.DAG_PARSE]["ratio_to_floor"] is None


def test_targets_compare_publish_with_floor_upsert_and_xloader() -> None:
    targets = report.targets(_results(), full_size=1_000_000)
    assert _target(targets, "publish time per row vs COPY floor")["met"] is True
    upsert = _target(targets, "publish rows/s vs API upsert rows/s")
    assert (upsert["measured"], upsert["met"]) == (66.67, True)
    xloader = _target(targets, "publish speed-up over xloader to fully loaded")
    assert (xloader["measured"], xloader["met"]) == (3.0, True)


def test_missed_and_unmeasured_targets_are_told_apart() -> None:
    targets = report.targets(_results(), full_size=1_000_000)
    assert _target(targets, f"{report.CHECK_CSF}: rows/s")["met"] is True
    assert _target(targets, f"{report.CHECK_TOURISM}: rows/s") == {
        "name": f"{report.CHECK_TOURISM}: rows/s",
        "target": ">= 100000",
        "measured": None,
        "met": None,
    }
    assert _target(targets, "end-to-end latency, seconds")["met"] is False
    assert _target(targets, "all DAG files parse, seconds")["met"] is True


def test_first_load_and_reload_are_each_held_to_100k_rows_per_second() -> None:
    targets = report.targets(_results(), full_size=1_000_000)
    first = _target(targets, f"{report.PUBLISH}: rows/s")
    reload = _target(targets, f"{report.RELOAD}: rows/s")
    assert (first["measured"], first["met"]) == (66_667, False)
    assert (reload["measured"], reload["met"]) == (125_000, True)


def test_peak_rss_is_a_target_only_for_full_size_measurements() -> None:
    names = [t["name"] for t in report.targets(_results(), full_size=1_000_000) if "peak RSS" in t["name"]]
    assert names == [f"{report.PUBLISH}: peak RSS MB", f"{report.CHECK_CSF}: peak RSS MB"]


def test_write_produces_the_json_shape_and_a_markdown_table(tmp_path: Path) -> None:
    results = _results()
    full = {"machine": {"cpus": 2}, "results": results, "targets": report.targets(results, 1_000_000)}
    report.write(full, ["a note"], tmp_path)
    written = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert set(written) == {"machine", "results", "targets"}
    assert all({"name", "target", "measured", "met"} == set(t) for t in written["targets"])
    markdown = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert (
        "| odl publish loader (COPY + swap) into the DataStore | 1,000,000 | 15.0 | 66,667 | 1.5 | 400.0 |" in markdown
    )
    assert "not available: file missing" in markdown
    assert "**NO**" in markdown and "not measured" in markdown and "- a note" in markdown


def _search_options() -> dict:
    queries = {
        length: {"p50_ms": 40.0, "p95_ms": p95, "median_rows": 10} for length, p95 in (("1", 90.0), ("2", 120.0))
    }
    return {
        "rows": 1_000_000,
        "data_table_bytes": 100 * report.MB,
        "words": {"1": ["津"], "2": ["鳥羽"]},
        "options": {
            "a": {
                "name": "grams",
                "fill_seconds": 9.0,
                "index_seconds": 10.0,
                "index_bytes": 80 * report.MB,
                "table_bytes": 700 * report.MB,
                "queries": queries,
                "load_phases": {"search": 4.0},
            },
            "c": {
                "name": "no index",
                "fill_seconds": 1.5,
                "index_seconds": 0.0,
                "index_bytes": 0,
                "table_bytes": 200 * report.MB,
                "queries": queries,
            },
        },
        "http": {
            "datastore_search_q": {"queries": queries},
            "odl_record_search": {"tables": 20, "rows_per_table": 100_000, "queries": queries},
        },
    }


def test_search_targets_take_the_http_p95_per_word_length_and_the_worst_for_record_search() -> None:
    targets = {t["name"]: t for t in report.search_targets(_search_options())}

    assert targets["datastore_search q p95 ms, 1-character words (1M rows)"]["met"] is True
    assert targets["datastore_search q p95 ms, 2-character words (1M rows)"]["met"] is False
    assert targets["datastore_search q p95 ms, 4-character words (1M rows)"]["met"] is None  # not measured
    record = targets["odl_record_search p95 ms (20 tables of 100,000 rows, worst word length)"]
    assert (record["measured"], record["met"]) == (120.0, True)


def test_search_options_render_as_a_section_with_sizes_against_the_data_table() -> None:
    full = {"machine": {}, "results": _results(), "targets": [], "search_options": _search_options()}

    markdown = report.render_markdown(full, ["a note"])

    assert "## Japanese search: index options (issue 14)" in markdown
    assert "| (a) grams | 9.0 | 10.0 | 700 | 80 | 0.80 | 40.0 / 90.0 | 40.0 / 120.0 | – | 10 / 10 |" in markdown
    assert "| `datastore_search` q, limit 100, on the 1M-row table | 40.0 / 90.0 | 40.0 / 120.0 | – |" in markdown
    assert markdown.index("## Japanese search") < markdown.index("## Notes")
