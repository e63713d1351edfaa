"""`odl check` on the generated hostile corpus: the right exit code and findings, in bounded time and memory.

Each case runs as its own process (tests/hostile/run.py): at most 30 s and 1 GiB of peak RSS, the
bounds of issue 20, and its JSON stays small however many problems the file has.
"""

import re
from pathlib import Path

import pytest

from tests.hostile.corpus import CASES, DATASET, Case, cached_folder, write_corpus
from tests.hostile.run import PEAK_RSS, SECONDS, Outcome, run_check
from transforms.settings import PROJECT_ROOT

JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
MAX_JSON_BYTES = 256 * 1024


# Git-ignored; about 250 MB (the 2 GiB case is a sparse file), written again when corpus.py changes.
CACHE = PROJECT_ROOT / "artifacts" / "hostile-corpus"


@pytest.fixture(scope="module")
def corpus() -> dict[str, Path]:
    return write_corpus(cached_folder(CACHE))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_odl_check_on_a_hostile_file_stays_within_bounds(corpus: dict[str, Path], case: Case) -> None:
    outcome = run_check(corpus[case.name], DATASET, case.env)
    assert outcome.exit_code is not None, f"{case.name}: killed after {SECONDS} s\n{outcome.stderr}"
    assert outcome.seconds <= SECONDS
    assert outcome.peak_rss <= PEAK_RSS, f"{case.name}: peak RSS {outcome.peak_rss / (1 << 20):.0f} MiB"
    assert outcome.exit_code == case.exit_code, outcome.report or outcome.stderr
    assert outcome.report is not None, outcome.stderr
    assert case.codes <= outcome.codes, outcome.report
    assert outcome.json_bytes <= MAX_JSON_BYTES
    _assert_findings_speak_japanese(outcome)


def _assert_findings_speak_japanese(outcome: Outcome) -> None:
    assert outcome.report is not None
    for finding in outcome.report["errors"] + outcome.report["warnings"]:
        assert JAPANESE.search(finding["message"]), finding


def test_every_refusal_names_its_bound(corpus: dict[str, Path]) -> None:
    """A file over a bound is told which bound and its limit, in one finding that is the whole answer."""
    outcome = run_check(corpus["oversized_file"], DATASET)
    assert outcome.report is not None
    [finding] = outcome.report["errors"]
    assert finding["code"] == "file_too_large"
    assert "2.0 GB" in finding["message"] and "上限 100 MB" in finding["message"]


def test_summary_counts_the_findings_not_listed(corpus: dict[str, Path]) -> None:
    outcome = run_check(corpus["many_findings"], DATASET)
    assert outcome.report is not None
    errors = outcome.report["errors"]
    listed = [f for f in errors if f["code"] == "invalid_date"]
    [summary] = [f for f in errors if f["code"] == "more_findings" and f["of"] == "invalid_date"]
    assert len(listed) == 100
    assert len(listed) + summary["count"] == 100_000  # every row of the file has the bad date
    assert [f["row"] for f in listed] == list(range(2, 102))  # the first rows are the ones listed
