"""The benchmark's entry to create: the edited next versions its reload loads (no services)."""

import pyarrow as pa

from bench.publish import edited


def test_edited_appends_a_note_to_every_nth_row_from_the_offset_and_fills_nulls() -> None:
    typed = pa.table({"key": [1, 2, 3, 4, 5], "note": ["a", None, "c", "d", "e"]})

    changed = edited(typed, "note", every=2, offset=1)

    assert changed.column("note").to_pylist() == ["a", "（訂正）", "c", "d（訂正）", "e"]
    assert changed.column("key").equals(typed.column("key"))
    # Another offset edits other rows, so two versions differ from each other as well as from the file.
    other = edited(typed, "note", every=2, offset=0)
    assert other.column("note").to_pylist() == ["a（訂正）", None, "c（訂正）", "d", "e（訂正）"]
