"""The record search page (データの中を検索): /odl/search?q=鳥羽市 shows matching rows of every public
dataset, grouped by dataset, each group linking to its dataset. It renders what `odl_record_search`
answers for the signed-in user (or an anonymous citizen), so the page never shows more than the API.
With `resource_id` it pages through every matching row of that one table (`datastore_search` with
`q`, under CKAN's own authorization), since resource pages here have no data preview.

Tables have up to dozens of columns, too many to read as a table on a page; each row is shown as
the cells where the words were found (words marked) after a few leading cells that say which row
it is (its name: columns named 名称 or …名 first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ckan.plugins import toolkit
from flask import Blueprint

from ckanext.odl.text_match import normalise, words

ROWS_PER_DATASET = 5
ROWS_PER_PAGE = 50
LEADING_CELLS = 2

record_search = Blueprint("odl", __name__, url_prefix="/odl")


@dataclass
class Row:
    """One matching row as the page shows it: leading cells, then the cells that matched, marked."""

    leading: list[tuple[str, str]] = field(default_factory=list)
    matched: list[tuple[str, list[tuple[str, bool]]]] = field(default_factory=list)


def marked(text: str, row_words: list[str]) -> list[tuple[str, bool]] | None:
    """text as (piece, is a word) pieces, or None when no word is in it.

    Characters are normalised one by one to find the words at their place in the original text;
    where NFKC joins characters (ｶ + ﾞ → ガ) a word found only in the whole cell is not marked."""
    pieces = [(index, normalise(character)) for index, character in enumerate(text)]
    flat = "".join(piece for _, piece in pieces)
    if not any(word in normalise(text) for word in row_words):
        return None
    starts = [0]
    for _, piece in pieces:
        starts.append(starts[-1] + len(piece))
    hit = [False] * len(text)
    for word in row_words:
        at = flat.find(word)
        while at >= 0:
            for index, _ in pieces:
                if starts[index] < at + len(word) and starts[index + 1] > at:
                    hit[index] = True
            at = flat.find(word, at + 1)
    result: list[tuple[str, bool]] = []
    for character, is_hit in zip(text, hit, strict=True):
        if result and result[-1][1] == is_hit:
            result[-1] = (result[-1][0] + character, is_hit)
        else:
            result.append((character, is_hit))
    return result


def _naming_first(column: str) -> int:
    """Columns that name the row (名称, 施設名, 市町名) before the others, which keep their order."""
    return 0 if "名称" in column else 1 if column.endswith("名") else 2


def rows(dataset: dict[str, Any], row_words: list[str]) -> list[Row]:
    columns = [f["id"] for f in dataset["fields"] if f["id"] not in ("_id", "rank")]
    shown = []
    for record in dataset["records"]:
        row = Row()
        for column in columns:
            value = record.get(column)
            pieces = marked(str(value), row_words) if value not in (None, "") else None
            if pieces is not None:
                row.matched.append((column, pieces))
        matched_columns = {column for column, _ in row.matched}
        row.leading = [
            (column, str(record[column]))
            for column in sorted(columns, key=_naming_first)
            if column not in matched_columns and record.get(column) not in (None, "")
        ][:LEADING_CELLS]
        shown.append(row)
    return shown


def _search(q: str, organization: str) -> tuple[dict[str, Any] | None, str | None]:
    """(the answer, None), or (None, a Japanese message saying what to change)."""
    if not q.strip():
        return None, None
    data_dict: dict[str, Any] = {"q": q, "limit": ROWS_PER_DATASET}
    if organization:
        data_dict["organization"] = organization
    try:  # as the signed-in user or an anonymous citizen: CKAN fills the context from the request
        return toolkit.get_action("odl_record_search")({}, data_dict), None
    except toolkit.ObjectNotFound:
        return None, f"組織「{organization}」は見つかりません。組織の指定を外して検索してください。"
    except toolkit.ValidationError:
        return None, "検索に時間がかかりすぎたか、検索語が正しくありません。もっと長い語や複数の語で検索してください。"


def _one_table(q: str, resource_id: str, page: int) -> tuple[dict[str, Any] | None, str | None]:
    """One table's matching rows, a page of them, shaped like an entry of `odl_record_search`."""
    if not q.strip():
        return None, None
    try:
        resource = toolkit.get_action("resource_show")({}, {"id": resource_id})
        package = toolkit.get_action("package_show")({}, {"id": resource["package_id"]})
        found = toolkit.get_action("datastore_search")(
            {}, {"resource_id": resource_id, "q": q, "limit": ROWS_PER_PAGE, "offset": (page - 1) * ROWS_PER_PAGE}
        )
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return None, "このデータは見つからないか、見る権限がありません。"
    except toolkit.ValidationError:
        return None, "検索に時間がかかりすぎたか、検索語が正しくありません。もっと長い語や複数の語で検索してください。"
    organization = package.get("organization") or {}
    dataset = {
        "name": package["name"],
        "title": package.get("title") or package["name"],
        "organization_title": organization.get("title"),
        "resource_id": resource_id,
        "count": found["total"],
        "count_was_estimated": found.get("total_was_estimated", False),
        "records": found["records"],
        "fields": found["fields"],
    }
    return {"count": found["total"], "count_was_estimated": dataset["count_was_estimated"], "datasets": [dataset]}, None


def _organizations() -> list[tuple[str, str]]:
    """(name, title) of every organization, for the page's organization choice."""
    found = toolkit.get_action("organization_list")({}, {"all_fields": True, "sort": "title asc"})
    return [(organization["name"], organization["title"] or organization["name"]) for organization in found]


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and int(text) > 0 else 1


@record_search.route("/search")
def search() -> str:
    args = toolkit.request.args
    q, organization, resource_id = args.get("q", ""), args.get("organization", ""), args.get("resource_id", "")
    page = _page_number(args.get("page", ""))
    result, error = _one_table(q, resource_id, page) if resource_id else _search(q, organization)
    row_words = words(q)
    groups = [(dataset, rows(dataset, row_words)) for dataset in result["datasets"]] if result else []
    return toolkit.render(
        "odl/record_search.html",
        {
            "q": q,
            "organization": organization,
            "organizations": _organizations(),
            "resource_id": resource_id,
            "page": page,
            "rows_per_page": ROWS_PER_PAGE,
            "result": result,
            "groups": groups,
            "error": error,
            "rows_per_dataset": ROWS_PER_DATASET,
        },
    )
