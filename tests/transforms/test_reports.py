"""The department's reports: the text `odl check` prints and the HTML page of a submission."""

from transforms.findings import error, more_findings
from transforms.reports import render_html, render_text
from transforms.validate import CheckResult


def summarised_result() -> CheckResult:
    errors = [error("invalid_date", row=row, column="捕獲年月日", value="昨日") for row in (2, 3)]
    return CheckResult(
        "csf-wild-boar", "豚熱.csv", "utf-8", "csv", None, [*errors, more_findings("invalid_date", 998, 2)]
    )


def test_text_report_counts_the_findings_only_counted_and_says_so_in_one_line() -> None:
    text = render_text(summarised_result(), "豚熱 野生いのしし 検査結果")
    assert "エラーが 1,000 件あります" in text
    assert "  2行目「捕獲年月日」: " in text
    assert "\n  …ほかに「invalid_date」が 998 件あります（最初の 2 件だけを表示しています）。\n" in text


def test_html_report_heading_counts_every_finding() -> None:
    page = render_html({"outcome": "rejected", "file": "豚熱.csv", **summarised_result().to_dict()})
    assert "エラー（直す必要があります）：1,000件" in page
    assert "…ほかに「invalid_date」が 998 件あります" in page
