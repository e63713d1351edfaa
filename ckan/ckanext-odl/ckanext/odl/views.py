"""The record search page (データの中を検索): /odl/search?q=鳥羽市 shows matching rows of every public
dataset, grouped by dataset, each group linking to its dataset. It renders what `odl_record_search`
answers for the signed-in user (or an anonymous citizen), so the page never shows more than the API."""

from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit
from flask import Blueprint

ROWS_PER_DATASET = 5

record_search = Blueprint("odl", __name__, url_prefix="/odl")


def _search(q: str, organization: str) -> tuple[dict[str, Any] | None, str | None]:
    """(the answer, None), or (None, a Japanese message saying what to change)."""
    if not q.strip():
        return None, None
    data_dict: dict[str, Any] = {"q": q, "limit": ROWS_PER_DATASET}
    if organization:
        data_dict["organization"] = organization
    context: dict[str, Any] = {"user": toolkit.current_user.name if toolkit.current_user.is_authenticated else ""}
    try:
        return toolkit.get_action("odl_record_search")(context, data_dict), None
    except toolkit.ObjectNotFound:
        return None, f"組織「{organization}」は見つかりません。組織の指定を外して検索してください。"
    except toolkit.ValidationError:
        return None, "検索に時間がかかりすぎたか、検索語が正しくありません。もっと長い語や複数の語で検索してください。"


@record_search.route("/search")
def search() -> str:
    q = toolkit.request.args.get("q", "")
    organization = toolkit.request.args.get("organization", "")
    result, error = _search(q, organization)
    return toolkit.render(
        "odl/record_search.html",
        {"q": q, "organization": organization, "result": result, "error": error, "rows_per_dataset": ROWS_PER_DATASET},
    )
