"""What odl agrees to read, write and name (transforms.files), on the real file system."""

import os
from pathlib import Path

import pytest

from transforms.files import (
    NAME_MAX_BYTES,
    Refused,
    check_output_file,
    open_regular_file,
    readable_name,
    safe_file_name,
)


def test_safe_file_name_keeps_plain_japanese_names_as_they_are() -> None:
    assert safe_file_name("豚熱_令和6年4月.xlsx", 200) == "豚熱_令和6年4月.xlsx"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("..\\..\\豚熱.csv", "豚熱.csv"),
        ("../../豚熱.csv", "豚熱.csv"),
        ("C:\\Users\\mie\\豚熱.csv", "豚熱.csv"),
        (".豚熱.csv", "豚熱.csv"),
        ("...", ""),
        ("豚熱\x00\x1b[31m.csv", "豚熱__[31m.csv"),
        ('a:b*c?"d<e>f|.csv', "a_b_c__d_e_f_.csv"),
        ("  豚熱.csv  ", "豚熱.csv"),
    ],
)
def test_safe_file_name_drops_folders_leading_dots_and_unsafe_characters(name: str, safe: str) -> None:
    assert safe_file_name(name, 200) == safe


def test_safe_file_name_cuts_long_names_by_bytes_keeping_the_extension_and_whole_characters() -> None:
    name = "豚熱" + "あ" * 100 + ".xlsx"
    for limit in (200, 199, 198, 197):
        safe = safe_file_name(name, limit)
        assert len(safe.encode("utf-8")) <= limit and safe.endswith(".xlsx") and safe.startswith("豚熱あ")
        safe.encode("utf-8").decode("utf-8")  # no character cut in half
    assert len(safe_file_name("a" * 300, NAME_MAX_BYTES)) == NAME_MAX_BYTES


def test_open_regular_file_refuses_a_link_only_when_told_not_to_follow(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_bytes(b"a,b\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    with open_regular_file(str(tmp_path / "link.csv"), follow_symlinks=True) as handle:
        assert handle.read() == b"a,b\n"
    with pytest.raises(Refused) as refused:
        open_regular_file(str(tmp_path / "link.csv"), follow_symlinks=False)
    assert refused.value.finding.code == "symlink_refused"


@pytest.mark.timeout(30)
def test_open_regular_file_refuses_a_fifo_without_blocking_on_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(Refused) as refused:
        open_regular_file(str(tmp_path / "fifo"), follow_symlinks=True)
    assert refused.value.finding.code == "not_a_regular_file" and "FIFO" in refused.value.finding.message


def test_check_output_file_makes_its_folder_and_refuses_a_folder(tmp_path: Path) -> None:
    assert check_output_file(str(tmp_path / "new" / "out.csv")) == tmp_path / "new" / "out.csv"
    assert (tmp_path / "new").is_dir() and list((tmp_path / "new").iterdir()) == []
    with pytest.raises(Refused) as refused:
        check_output_file(str(tmp_path / "new"))
    assert refused.value.finding.code == "out_is_directory"


def test_readable_name_reads_utf8_then_cp932_then_marks_what_is_neither() -> None:
    assert readable_name("豚熱.csv") == "豚熱.csv"
    assert readable_name(os.fsdecode("豚熱.csv".encode("cp932"))) == "豚熱.csv"
    assert readable_name(os.fsdecode(b"\x81\x20.csv")) == "\ufffd .csv"
    assert safe_file_name(os.fsdecode("豚熱.csv".encode("cp932")), 200) == "豚熱.csv"
