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


def test_unknown_subcommand_exits_with_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["no-such-command"])
    assert exit_info.value.code == 2
