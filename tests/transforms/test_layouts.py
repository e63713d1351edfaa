"""The steps layouts share: a totals warning, 市町名 resolved to codes, findings naming their sheet."""

import pandas as pd

from transforms.findings import error
from transforms.layouts import findings_naming_sheet, municipality_codes, total_mismatch
from transforms.readers import ReadResult, SheetTable
from transforms.reference import load_municipalities


def test_a_total_mismatch_is_a_warning_on_the_totals_row_in_whole_numbers() -> None:
    finding = total_mismatch(6, "入込客数", "県計の4月", 1445.0, 1444.0)
    assert (finding.severity, finding.code, finding.row, finding.column) == ("warning", "total_mismatch", 6, "入込客数")
    assert "県計の4月" in finding.message and "1445" in finding.message and "1444.0" not in finding.message


def test_findings_name_their_sheet_only_when_the_workbook_has_several() -> None:
    sheets = [SheetTable(name, [], ["市町名"], pd.DataFrame()) for name in ("R6.4", "R6.5")]
    findings = [error("required_value_missing", row=3, column="市町名")]
    one = findings_naming_sheet(ReadResult("xlsx", None, sheets[:1], [], []), sheets[0], findings)
    several = findings_naming_sheet(ReadResult("xlsx", None, sheets, [], []), sheets[1], findings)
    assert one == findings
    assert several[0].message == f"シート「R6.5」：{findings[0].message}" and several[0].row == 3


def test_municipality_codes_keep_the_rows_that_resolve_and_name_the_others() -> None:
    names = pd.Series(["津市", "名古屋市", "多気郡多気町"], index=[4, 5, 6], dtype=object)
    codes, findings = municipality_codes(names, load_municipalities(), "市町名")
    assert codes.to_dict() == {4: "242012", 6: "244414"}
    assert [(f.code, f.row, f.column) for f in findings] == [("unknown_municipality", 5, "市町名")]
