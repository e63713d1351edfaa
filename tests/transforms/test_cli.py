import json
import subprocess
import sys
from pathlib import Path

import pytest

from transforms import cli


def test_doctor_reports_key_package_versions_and_paths(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "apache-airflow       3.3.2" in out
    assert f"data root            {tmp_path} (exists)" in out


def test_doctor_fails_when_a_key_package_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "KEY_PACKAGES", ("apache-airflow", "no-such-package-odl"))
    assert cli.main(["doctor"]) == 1
    assert "no-such-package-odl  MISSING" in capsys.readouterr().out


def test_unknown_subcommand_exits_2_with_a_japanese_usage_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert "COMMAND に「no-such-command」は指定できません" in err and "odl -h" in err
    assert "invalid choice" in err  # argparse's English, for engineers


CSF = "検体番号,捕獲年月日,市町名,検査結果,検査年月日\r\n"


def run_check(tmp_path: Path, text: bytes, *args: str) -> tuple[int, str]:
    path = tmp_path / "豚熱.csv"
    path.write_bytes(text)
    code = subprocess.run(
        [sys.executable, "-m", "transforms.cli", "check", str(path), "--dataset", "csf-wild-boar", *args],
        capture_output=True,
        text=True,
    )
    return code.returncode, code.stdout


def test_check_exit_codes_mean_valid_errors_unreadable(tmp_path: Path) -> None:
    assert run_check(tmp_path, (CSF + "W1,R6.4.1,津市,陰性,\r\n").encode("cp932"))[0] == 0
    assert run_check(tmp_path, (CSF + "W1,R6.4.1,名古屋市,陰性,\r\n").encode("cp932"))[0] == 1
    assert run_check(tmp_path, "検体番号,市町名\r\nW1,津市\r\n".encode("cp932"))[0] == 1  # missing required columns
    assert run_check(tmp_path, b"")[0] == 2
    assert run_check(tmp_path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")[0] == 2


def test_check_json_is_one_object_with_the_documented_keys(tmp_path: Path) -> None:
    code, out = run_check(tmp_path, (CSF + "W1,R6.4.1,名古屋市,陰性,\r\n").encode("cp932"), "--json")
    report = json.loads(out)
    assert code == 1
    assert set(report) == {"dataset", "file", "encoding", "format", "rows", "valid", "errors", "warnings"}
    assert (report["dataset"], report["file"], report["encoding"], report["format"]) == (
        "csf-wild-boar",
        "豚熱.csv",
        "cp932",
        "csv",
    )
    assert report["rows"] == 1 and report["valid"] is False
    (finding,) = report["errors"]
    assert set(finding) == {"row", "column", "code", "message"}
    assert (finding["row"], finding["column"], finding["code"]) == (2, "市町名", "unknown_municipality")


def test_check_json_for_an_unreadable_file_has_null_rows(tmp_path: Path) -> None:
    code, out = run_check(tmp_path, b"", "--json")
    report = json.loads(out)
    assert code == 2 and report["rows"] is None and report["errors"][0]["code"] == "file_empty"


def test_check_out_writes_contract_columns_in_order_rows_in_submission_order(tmp_path: Path) -> None:
    target = tmp_path / "out" / "normalised.csv"
    text = "市町名,検体番号,検査結果,捕獲年月日\r\n伊勢市,W2,陽性,令和6年5月1日\r\n津市,W1,陰性,R6.4.1\r\n"
    code, _ = run_check(tmp_path, text.encode("cp932"), "--out", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8").splitlines() == [
        "検体番号,捕獲年月日,市町名,緯度,経度,検査結果,検査年月日,備考",
        "W2,2024-05-01,伊勢市,,,陽性,,",
        "W1,2024-04-01,津市,,,陰性,,",
    ]


def test_check_without_json_prints_a_japanese_report(tmp_path: Path) -> None:
    _, out = run_check(tmp_path, (CSF + "W1,R6.4.1,名古屋市,陰性,\r\n").encode("cp932"))
    assert "エラーが 1 件あります" in out
    assert "2行目「市町名」" in out


def test_submit_puts_the_file_and_its_dataset_into_the_department_inbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path / "data"))
    source = tmp_path / "報告.csv"
    source.write_bytes(CSF.encode("cp932"))
    assert cli.main(["submit", str(source), "--department", "農林水産部", "--dataset", "csf-wild-boar"]) == 0
    assert cli.main(["submit", str(source), "--department", "agriculture"]) == 0
    inbox = tmp_path / "data" / "inbox" / "agriculture"
    assert sorted(path.name for path in inbox.iterdir()) == ["報告.csv", "報告.csv.odl.json", "報告_1.csv"]
    assert (inbox / "報告.csv").read_bytes() == source.read_bytes()
    assert json.loads((inbox / "報告.csv.odl.json").read_text()) == {"dataset": "csf-wild-boar"}


def test_submit_refuses_a_dataset_of_another_department(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    source = tmp_path / "x.csv"
    source.write_text("a")
    assert cli.main(["submit", str(source), "--department", "tourism", "--dataset", "csf-wild-boar"]) == 2
    assert not (tmp_path / "inbox").exists()


def test_datasets_lists_every_folder_with_its_kind_department_and_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["datasets", "--json"]) == 0
    listed = {entry["id"]: entry for entry in json.loads(capsys.readouterr().out)}
    assert (
        listed["evacuation-sites"]["kind"] == "both"
        and listed["evacuation-sites"]["department"] == "disaster-prevention"
    )
    assert listed["tourist-visitors"]["kind"] == "source"
    by_region = listed["tourist-visitors-by-region"]
    assert (by_region["kind"], by_region["inputs"], by_region["complete"]) == ("published", ["tourist-visitors"], True)
    assert by_region["title"] == "観光入込客数（地域別・月別）" and by_region["problems"] == []


def test_datasets_names_the_file_and_field_of_a_broken_folder_in_japanese(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    catalog = Path(__file__).resolve().parents[2] / "catalog"
    (tmp_path / "datasets" / "broken").mkdir(parents=True)
    for name in ("departments.yaml", "mie-municipalities.csv"):
        (tmp_path / name).write_bytes((catalog / name).read_bytes())
    contract = tmp_path / "datasets" / "broken" / "source.yaml"
    contract.write_text(
        "id: broken\ntitle: t\ndepartment: tourism\nfile_patterns: ['*']\nkey: [A]\ncolumns: [{name: A, type: number}]\n"
    )
    monkeypatch.setenv("ODL_CATALOG_DIR", str(tmp_path))
    assert cli.main(["datasets"]) == 1
    out = capsys.readouterr().out
    assert "broken" in out and "要修正" in out
    assert f"{contract} (columns): 列「A」の型 'number' は使えません" in out
