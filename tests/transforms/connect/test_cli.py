"""`odl connect` and `odl expectations`, on small inputs."""

import json
from pathlib import Path

import pytest

from tests.transforms.connect.conftest import csf_rows, put_raw, raw_table
from transforms.cli import main


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
