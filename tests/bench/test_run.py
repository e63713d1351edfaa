"""bench.run's own logic: `--only` keeps the committed results it did not measure, and every target is listed."""

from bench import report, run


def test_only_replaces_what_it_measured_and_keeps_the_rest() -> None:
    previous = {
        "machine": {"date": "earlier"},
        "results": [report.result(report.FLOOR, 1_000_000, 1.0), report.result(report.PUBLISH, 1_000_000, 50.0)],
        "search_options": {"rows": 1},
        "load": {"runs": ["old"]},
    }
    measured = {"machine": {"date": "now"}, "results": [report.result(report.PUBLISH, 1_000_000, 40.0)], "load": {}}
    kept = run.kept_with(previous, measured)
    assert kept["machine"] == {"date": "earlier"}
    assert [(r["method"], r["seconds"]) for r in kept["results"]] == [(report.FLOOR, 1.0), (report.PUBLISH, 40.0)]
    assert kept["search_options"] == {"rows": 1}
    assert kept["load"] == {}


def test_the_load_targets_are_listed_as_not_measured_when_the_step_did_not_run() -> None:
    targets = run.all_targets({"results": []})
    load = [t for t in targets if t["name"].startswith("load:")]
    assert len(load) == 3
    assert all(t["met"] is None for t in load)


def test_only_skips_every_other_step_and_wins_over_skip() -> None:
    assert run.skipped(["load"], []) == set(run.STEPS) - {"load"}
    assert run.skipped(["load"], ["load"]) == set(run.STEPS) - {"load"}
    assert run.skipped(None, ["xloader", "load"]) == {"xloader", "load"}


def test_sections_measured_by_hand_are_kept_before_the_load_table_and_the_notes() -> None:
    kept = run.by_hand()
    assert "## Front door (issue 15)" in kept and "<!--" not in kept
    full = {"machine": {}, "results": [], "targets": [], "load": {"runs": []}}
    markdown = report.render_markdown(full, ["a note"], kept)
    assert markdown.index("## Front door") < markdown.index("## Load and abuse") < markdown.index("## Notes")
