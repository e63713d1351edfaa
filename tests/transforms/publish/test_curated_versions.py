"""Which curated file a CKAN-named version may open: only a content hash under the dataset's folder."""

from pathlib import Path

from transforms.publish.publisher import curated_version


def test_a_kept_version_is_found_and_an_edited_version_field_names_no_file(tmp_path: Path) -> None:
    folder = tmp_path / "curated" / "csf-wild-boar"
    folder.mkdir(parents=True)
    (folder / "0123456789abcdef.parquet").write_bytes(b"PAR1")
    (tmp_path / "secret.parquet").write_bytes(b"PAR1")

    found = curated_version("csf-wild-boar", "0123456789abcdef", tmp_path)
    assert found is not None and found.path == folder / "0123456789abcdef.parquet"
    assert curated_version("csf-wild-boar", "../../secret", tmp_path) is None
    assert curated_version("csf-wild-boar", "fedcba9876543210", tmp_path) is None  # not kept
