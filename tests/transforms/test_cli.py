import json
import os
import subprocess
import sys
from collections.abc import Sequence
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


# --- issue 20: exit 2, in Japanese, whenever a command cannot run ------------------------------------

VALID_CSF = (CSF + "W1,R6.4.1,津市,陰性,\r\n").encode("cp932")
# Root reads and writes whatever it likes; without these capabilities it obeys file modes like anyone.
AS_ORDINARY_USER = (
    ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
)


def odl(*args: str, cwd: Path | None = None, prefix: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """odl run as a department runs it, in its own process; a hang fails the test within 30 s."""
    command = [*prefix, sys.executable, "-m", "transforms.cli", *args]
    environment = os.environ | {"TMPDIR": str(cwd)} if cwd else None
    return subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=cwd, env=environment)


def could_not_run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """odl's stderr for args, asserting exit 2 and that no traceback reached it."""
    assert cli.main(list(args)) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_check_of_a_missing_empty_named_or_folder_file_exits_2_in_japanese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "ない.csv")
    assert f"ファイル「{missing}」が見つかりません" in could_not_run(
        capsys, "check", missing, "--dataset", "csf-wild-boar"
    )
    under_a_file = tmp_path / "x.csv"
    under_a_file.write_bytes(VALID_CSF)
    assert "見つかりません" in could_not_run(capsys, "check", f"{under_a_file}/y.csv", "--dataset", "csf-wild-boar")
    assert "ファイル名が空です" in could_not_run(capsys, "check", "", "--dataset", "csf-wild-boar")
    assert f"「{tmp_path}」はフォルダです" in could_not_run(
        capsys, "check", str(tmp_path), "--dataset", "csf-wild-boar"
    )


def test_a_reader_that_stops_reading_the_output_gets_no_traceback(tmp_path: Path) -> None:
    """`odl check --json | head -c 1`: the pipe closes before odl writes."""
    csv = tmp_path / "豚熱.csv"
    csv.write_bytes(VALID_CSF)
    command = [sys.executable, "-m", "transforms.cli", "check", str(csv), "--dataset", "csf-wild-boar", "--json"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # long before odl has started up and has anything to write
    err = child.stderr.read().decode()
    assert child.wait(timeout=30) == 2
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_check_of_a_file_it_may_not_read_exits_2_in_japanese(tmp_path: Path) -> None:
    secret = tmp_path / "豚熱.csv"
    secret.write_bytes(VALID_CSF)
    secret.chmod(0)
    done = odl("check", "豚熱.csv", "--dataset", "csf-wild-boar", cwd=tmp_path, prefix=AS_ORDINARY_USER)
    assert done.returncode == 2
    assert "ファイル「豚熱.csv」を読めません（権限がありません）" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "device", ["fifo", "/dev/zero", "/dev/tty", "/proc/kmsg", "/proc/self/environ", "/sys/kernel/uevent_seqnum"]
)
def test_check_refuses_a_fifo_device_or_kernel_file_at_once_without_opening_it(tmp_path: Path, device: str) -> None:
    if device == "fifo":
        os.mkfifo(tmp_path / "fifo")  # nobody ever writes to it: opening it for reading would block forever
    done = odl("check", device, "--dataset", "csf-wild-boar", "--json", cwd=tmp_path)
    assert done.returncode == 2
    (finding,) = json.loads(done.stdout)["errors"]
    assert finding["code"] == "not_a_regular_file"
    assert "通常のファイルではありません" in finding["message"]


def test_check_json_is_one_object_also_when_the_file_cannot_be_used(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "/no/such.csv", "--dataset", "csf-wild-boar", "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"dataset", "file", "encoding", "format", "rows", "valid", "errors", "warnings"}
    assert (report["dataset"], report["file"], report["rows"], report["valid"]) == (
        "csf-wild-boar",
        "such.csv",
        None,
        False,
    )
    (finding,) = report["errors"]
    assert set(finding) == {"row", "column", "code", "message"} and finding["code"] == "file_not_found"


@pytest.mark.parametrize(
    ("out", "says"),
    [
        ("/proc/odl-out.csv", "に書き込めません（その場所はありません）"),
        ("{tmp}/x.csv/normalised.csv", "に書き込めません（途中の名前がフォルダではなくファイルです）"),
        ("/sys/odl-out.csv", "に書き込めません（権限がありません）"),
        ("{tmp}", "はフォルダです"),
        ("{tmp}/fifo", "に書き込めません（名前付きパイプ（FIFO））"),
    ],
)
def test_check_out_where_it_cannot_write_exits_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, out: str, says: str
) -> None:
    source = tmp_path / "x.csv"
    source.write_bytes(VALID_CSF)
    os.mkfifo(tmp_path / "fifo")
    target = out.format(tmp=tmp_path)
    before = sorted(tmp_path.iterdir())
    err = could_not_run(capsys, "check", str(source), "--dataset", "csf-wild-boar", "--out", target)
    assert f"出力先「{target}」{says}" in err
    assert sorted(tmp_path.iterdir()) == before


def test_check_out_into_a_read_only_folder_exits_2(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_bytes(VALID_CSF)
    (tmp_path / "read-only").mkdir(mode=0o555)
    done = odl(
        "check",
        "x.csv",
        "--dataset",
        "csf-wild-boar",
        "--out",
        "read-only/n.csv",
        cwd=tmp_path,
        prefix=AS_ORDINARY_USER,
    )
    assert done.returncode == 2 and "出力先「read-only/n.csv」に書き込めません（権限がありません）" in done.stderr
    assert list((tmp_path / "read-only").iterdir()) == []


def test_usage_errors_exit_2_in_japanese_with_argparse_english_for_engineers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    err = could_not_run(capsys, "check", "x.csv", "--dataset", "no-such-dataset")
    assert "--dataset に「no-such-dataset」は指定できません。次のいずれかを指定してください: " in err
    assert "csf-wild-boar" in err and "invalid choice" in err
    err = could_not_run(capsys, "check", "x.csv")
    assert "odl check: --dataset を指定してください。使い方は「odl check -h」で表示されます。" in err
    err = could_not_run(capsys, "submit", "x.csv", "--department", "tourism", "--dataset", "no-such-dataset")
    assert "「no-such-dataset」は指定できません" in err
    assert cli.main(["check", "x.csv", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["errors"][0]["code"] == "usage_error"


def test_a_file_named_like_an_option_gets_a_japanese_hint_and_works_the_two_ways_it_names(tmp_path: Path) -> None:
    (tmp_path / "-x.csv").write_bytes(VALID_CSF)
    done = odl("check", "-x.csv", "--dataset", "csf-wild-boar", cwd=tmp_path)
    assert done.returncode == 2
    assert "「./-x.csv」と書くか、「--」の後に書いてください（例: odl check --dataset ID -- -x.csv）" in done.stderr
    assert odl("check", "./-x.csv", "--dataset", "csf-wild-boar", cwd=tmp_path).returncode == 0
    assert odl("check", "--dataset", "csf-wild-boar", "--", "-x.csv", cwd=tmp_path).returncode == 0


def test_an_unexpected_error_exits_2_in_japanese_with_its_trace_in_a_log_file_not_on_screen(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "departments.yaml").write_text("departments: [never closed\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "transforms.cli", "datasets", "--json"],
        capture_output=True,
        text=True,
        timeout=30,
        env=os.environ | {"ODL_CATALOG_DIR": str(catalog), "TMPDIR": str(tmp_path)},
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout
    (finding,) = json.loads(done.stdout)["errors"]
    assert finding["code"] == "unexpected_error" and "システムの担当者に連絡してください" in finding["message"]
    (log,) = (tmp_path / "odl-errors").iterdir()
    assert str(log) in finding["message"]
    assert "Traceback" in log.read_text(encoding="utf-8") and "ParserError" in done.stderr


# --- issue 20: odl submit takes regular files only, under a safe short name, and writes nothing else ---


def inbox_of(data_root: Path) -> list[str]:
    inbox = data_root / "inbox" / "agriculture"
    return sorted(path.name for path in inbox.iterdir()) if inbox.exists() else []


@pytest.mark.parametrize("source", ["{tmp}", ".", "..", "", "{tmp}/ない.csv"])
def test_submit_of_a_folder_dot_dotdot_empty_or_missing_exits_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    err = could_not_run(
        capsys, "submit", source.format(tmp=tmp_path), "--department", "農林水産部", "--dataset", "csf-wild-boar"
    )
    assert "odl submit: " in err
    assert not (tmp_path / "data").exists()


def test_submit_of_a_fifo_exits_2_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "豚熱.csv")
    done = subprocess.run(
        [sys.executable, "-m", "transforms.cli", "submit", "豚熱.csv", "--department", "agriculture"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
        env=os.environ | {"ODL_DATA_ROOT": str(tmp_path / "data")},
    )
    assert done.returncode == 2 and "名前付きパイプ（FIFO）で、通常のファイルではありません" in done.stderr
    assert not (tmp_path / "data").exists()


def test_submit_of_a_symlink_is_refused_and_its_target_never_copied(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path / "data"))
    (tmp_path / "豚熱.csv").symlink_to("/etc/passwd")
    err = could_not_run(capsys, "submit", str(tmp_path / "豚熱.csv"), "--department", "agriculture")
    assert "シンボリックリンク" in err
    assert not (tmp_path / "data").exists()


def test_submit_of_a_sidecar_name_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path / "data"))
    source = tmp_path / "豚熱.csv.odl.json"
    source.write_text('{"dataset": "csf-wild-boar"}')
    err = could_not_run(capsys, "submit", str(source), "--department", "agriculture")
    assert "「豚熱.csv.odl.json」は提出に使えない名前です（末尾が .odl.json の名前は odl が使います）" in err
    assert not (tmp_path / "data").exists()


def test_submit_of_an_unknown_department_lists_the_departments_in_japanese(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path / "data"))
    (tmp_path / "豚熱.csv").write_bytes(VALID_CSF)
    err = could_not_run(capsys, "submit", str(tmp_path / "豚熱.csv"), "--department", "総務部")
    assert "部署「総務部」はありません。" in err and "農林水産部（agriculture）" in err


def test_submit_of_a_245_byte_name_goes_in_short_with_its_extension_and_japanese(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path / "data"))
    name = "豚熱" + "あ" * 79 + ".csv"  # 6 + 237 + 4 = 247 bytes: its quarantine folder would not fit NAME_MAX
    assert len(name.encode()) > 245
    (tmp_path / name).write_bytes(VALID_CSF)
    assert cli.main(["submit", str(tmp_path / name), "--department", "agriculture", "--dataset", "csf-wild-boar"]) == 0
    assert "として提出しました" in capsys.readouterr().out
    submitted, sidecar = inbox_of(tmp_path / "data")
    assert submitted.startswith("豚熱あああ") and submitted.endswith(".csv") and len(submitted.encode()) <= 200
    assert sidecar == submitted + ".odl.json"
    assert (tmp_path / "data" / "inbox" / "agriculture" / submitted).read_bytes() == VALID_CSF


@pytest.mark.parametrize(("name", "becomes"), [(".豚熱.csv", "豚熱.csv"), ("..\\..\\豚熱.csv", "豚熱.csv")])
def test_submit_of_a_dot_file_or_windows_path_name_goes_in_under_a_plain_name_the_store_takes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, becomes: str
) -> None:
    from transforms.store import inbox_files

    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path / "data"))
    (tmp_path / name).write_bytes(VALID_CSF)
    assert cli.main(["submit", str(tmp_path / name), "--department", "agriculture"]) == 0
    assert inbox_of(tmp_path / "data") == [becomes]
    assert [path.name for path in inbox_files("agriculture", tmp_path / "data")] == [becomes]


def test_publish_with_nothing_curated_could_not_run_and_says_so_in_japanese(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ODL_DATA_ROOT", str(tmp_path))
    monkeypatch.setenv("ODL_CKAN_URL", "http://127.0.0.1:9")  # never asked: nothing to publish is known first
    monkeypatch.setenv("ODL_CKAN_API_TOKEN", "unused")
    monkeypatch.setenv("ODL_DATASTORE_URL", "postgresql://unused@127.0.0.1:9/unused")
    err = could_not_run(capsys, "publish", "evacuation-sites")
    assert "odl publish: evacuation-sites には公開できる検証済みのデータがまだありません。" in err
    assert "no curated version yet" in err
