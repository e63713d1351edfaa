"""`odl connect`, `odl expectations` and the benchmark's entry point, on small inputs."""

import json
from pathlib import Path

import pytest

from tests.transforms.connect.conftest import csf_rows, put_raw, raw_table
from transforms.cli import main
from transforms.connect.bench import normalise_join_validate

CSF_CSV = "検体番号,捕獲年月日,市町名,検査結果,検査年月日\r\nB-1,令和6年4月1日,多気郡多気町,陰性,R6.4.3\r\nB-2,2024/4/2,津市,陽性,\r\n"


def test_odl_expectations_check_passes_on_the_committed_suites() -> None:
    assert main(["expectations", "--check"]) == 0


def test_odl_connect_exits_0_when_curated_or_unchanged_and_1_when_blocked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", csf_rows()), "1" * 64)
    assert main(["connect", "csf-wild-boar"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "curated"
    assert main(["connect", "csf-wild-boar"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "unchanged"

    rows = csf_rows()
    rows[0]["市町名"] = "名古屋市"
    put_raw(tmp_path, "csf-wild-boar", raw_table("csf-wild-boar", rows), "2" * 64)
    assert main(["connect", "csf-wild-boar"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["outcome"] == "blocked"
    assert "名古屋市" in captured.err


def test_the_benchmark_entry_normalises_joins_and_validates_a_department_file(tmp_path: Path) -> None:
    path = tmp_path / "豚熱.csv"
    path.write_bytes(CSF_CSV.encode("cp932"))
    result = normalise_join_validate(path, "csf-wild-boar")

    assert (result["rows"], result["errors"]) == (2, 0)
    assert set(result["datasets"]) == {"csf-wild-boar", "csf-wild-boar-monthly"}
    assert result["datasets"]["csf-wild-boar"]["rows"] == 2 and result["datasets"]["csf-wild-boar"]["valid"]
    assert result["datasets"]["csf-wild-boar-monthly"]["rows"] == 2  # 多気町 and 津市, April
