"""What changed between two published versions of a dataset, by the contract's key.

A row is *added* when its key is new, *removed* when its key is gone, *changed* when its key stays
and any other value differs. The entries are kept on the dataset (extra `odl_changelog`) and shown
in its description on the CKAN page.
"""

import json
from dataclasses import asdict, dataclass

import pyarrow as pa

from transforms.contracts import PublishedContract

KEEP_ENTRIES = 20  # newest first; older history stays in the publish ledger and CKAN's activity stream


@dataclass(frozen=True)
class Change:
    version: str
    previous_version: str | None
    published_at: str
    rows: int
    added: int | None  # None: the previous version's data was not available to compare
    removed: int | None
    changed: int | None
    note: str = ""


def _rows_by_key(table: pa.Table, contract: PublishedContract) -> dict[tuple[str, ...], tuple[str, ...]]:
    frame = table.select(contract.column_names).to_pandas().astype(object)
    text = frame.where(frame.notna(), "").astype(str)
    keys = zip(*(text[name] for name in contract.key), strict=True)
    others = text.drop(columns=list(contract.key)).itertuples(index=False, name=None)
    return dict(zip(keys, others, strict=True))


def compare(old: pa.Table, new: pa.Table, contract: PublishedContract) -> tuple[int, int, int]:
    """(added, removed, changed) rows from old to new."""
    before, after = _rows_by_key(old, contract), _rows_by_key(new, contract)
    added = len(after.keys() - before.keys())
    removed = len(before.keys() - after.keys())
    changed = sum(before[key] != after[key] for key in before.keys() & after.keys())
    return added, removed, changed


def entries(raw: str | None) -> list[Change]:
    if not raw:
        return []
    return [Change(**entry) for entry in json.loads(raw)]


def dump(changes: list[Change]) -> str:
    return json.dumps([asdict(change) for change in changes[:KEEP_ENTRIES]], ensure_ascii=False)


def render_markdown(changes: list[Change]) -> str:
    """The 更新履歴 section of the dataset description, newest first.

    A list, not a table: CKAN renders notes with Markdown's core syntax only, which has no tables.
    """
    if not changes:
        return ""
    lines = ["### 更新履歴", ""]
    for change in changes[:KEEP_ENTRIES]:
        counts = "、".join(
            f"{label} {'—' if count is None else f'{count:,}'}"
            for label, count in (("追加", change.added), ("削除", change.removed), ("変更", change.changed))
        )
        when = change.published_at.replace("T", " ")[:16]
        note = f"　{change.note}" if change.note else ""
        lines.append(f"- {when}　版 `{change.version[:12]}`　{change.rows:,}件（{counts}）{note}")
    return "\n".join(lines)
