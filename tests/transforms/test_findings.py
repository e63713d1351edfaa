"""Findings as values, and the summary of those past the number kept per code."""

from transforms.findings import Finding, error, more_findings, summarised, warning


def bad_date(row: int) -> Finding:
    return error("invalid_date", row=row, column="登録日", value="昨日")


def test_summarised_keeps_the_first_of_each_code_and_counts_the_rest() -> None:
    findings = [bad_date(row) for row in range(2, 7)] + [error("no_data_rows")]
    kept = summarised(findings, keep=2)
    assert kept == [bad_date(2), bad_date(3), error("no_data_rows"), more_findings("invalid_date", count=3, kept=2)]
    assert kept[-1].message == "…ほかに「invalid_date」が 3 件あります（最初の 2 件だけを表示しています）。"


def test_summaries_made_in_bulk_are_merged_into_one_per_code() -> None:
    # normalise keeps the first of each column's failures and counts the rest: two columns, one code.
    findings = [bad_date(2), more_findings("invalid_date", 500, 1), bad_date(3), more_findings("invalid_date", 9, 1)]
    assert summarised(findings, keep=1) == [bad_date(2), more_findings("invalid_date", count=510, kept=1)]


def test_summary_of_warnings_is_a_warning() -> None:
    findings = [warning("ignored_unknown_column", column=f"列{n}") for n in range(3)]
    [*_, summary] = summarised(findings, keep=1)
    assert summary.severity == "warning" and summary.to_dict()["count"] == 2


def test_nothing_to_summarise_is_left_alone() -> None:
    findings = [bad_date(2), error("no_data_rows")]
    assert summarised(findings, keep=100) == findings
