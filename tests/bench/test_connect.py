"""The benchmark's entry to connect, on a small department file (no services)."""

from pathlib import Path

from bench.connect import normalise_join_validate

CSF_CSV = "検体番号,捕獲年月日,市町名,検査結果,検査年月日\r\nB-1,令和6年4月1日,多気郡多気町,陰性,R6.4.3\r\nB-2,2024/4/2,津市,陽性,\r\n"


def test_the_benchmark_entry_normalises_joins_and_validates_a_department_file(tmp_path: Path) -> None:
    path = tmp_path / "豚熱.csv"
    path.write_bytes(CSF_CSV.encode("cp932"))
    result = normalise_join_validate(path, "csf-wild-boar")

    assert (result["rows"], result["errors"]) == (2, 0)
    assert set(result["datasets"]) == {"csf-wild-boar", "csf-wild-boar-monthly"}
    assert result["datasets"]["csf-wild-boar"]["rows"] == 2 and result["datasets"]["csf-wild-boar"]["valid"]
    assert result["datasets"]["csf-wild-boar-monthly"]["rows"] == 2  # 多気町 and 津市, April
