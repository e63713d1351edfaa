"""Rows added, removed and changed between versions, by the contract's key."""

import pyarrow as pa

from tests.transforms.publish.curated import visitors_by_region
from transforms.contracts import load_published_contracts
from transforms.publish import changelog
from transforms.publish.tables import typed_table

CONTRACT = load_published_contracts()["tourist-visitors-by-region"]


def typed(frame: object) -> pa.Table:
    return typed_table(pa.Table.from_pandas(frame, preserve_index=False), CONTRACT)


def test_added_removed_and_changed_rows_are_counted_by_key() -> None:
    old = visitors_by_region(2)  # 12 rows: 2024-01, 2024-02
    new = visitors_by_region(3, bump=5).iloc[6:]  # drops 2024-01, adds 2024-03; 2024-02 unchanged
    new = new.copy()
    new.iloc[0, new.columns.get_loc("入込客数")] = "1"  # one 2024-02 row changes
    assert changelog.compare(typed(old), typed(new), CONTRACT) == (6, 6, 1)


def test_the_same_data_has_no_changes() -> None:
    assert changelog.compare(typed(visitors_by_region(2)), typed(visitors_by_region(2)), CONTRACT) == (0, 0, 0)


def test_entries_round_trip_and_render_newest_first() -> None:
    first = changelog.Change("a" * 16, None, "2026-12-01T10:00:00+09:00", 12, 12, 0, 0, "新規公開")
    second = changelog.Change("b" * 16, "a" * 16, "2026-12-02T10:00:00+09:00", 13, 1, 0, 2)
    raw = changelog.dump([second, first])
    assert changelog.entries(raw) == [second, first]
    lines = changelog.render_markdown([second, first]).splitlines()
    assert lines[0] == "### 更新履歴"
    assert lines[2] == "- 2026-12-02 10:00　版 `bbbbbbbbbbbb`　13件（追加 1、削除 0、変更 2）"
    assert lines[3].startswith("- 2026-12-01 10:00") and lines[3].endswith("新規公開")


def test_unknown_counts_show_as_a_dash() -> None:
    change = changelog.Change("c" * 16, "b" * 16, "2026-12-03T10:00:00+09:00", 5, None, None, None)
    assert "（追加 —、削除 —、変更 —）" in changelog.render_markdown([change])
