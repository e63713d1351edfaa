"""Limits on the DataStore's public reads that CKAN 2.11 has no setting for (issue 15).

CKAN runs `datastore_search_sql` and `datastore_search` under a statement timeout it hard-codes (60 s,
`ckanext.datastore.backend.postgres._TIMEOUT`, read from `context["query_timeout"]`), and never limits
`offset`. Six anonymous 60-second queries held the database while citizens waited. Here:

- `ckanext.odl.api.sql_timeout_ms` (default 5000): the statement timeout of `datastore_search_sql`;
- `ckanext.odl.api.search_timeout_ms` (default 10000): the same for `datastore_search`;
- `ckanext.odl.api.offset_max` (default 100000): a deeper `offset` is refused before any query runs.

They hold for every caller: the pipeline loads and reads the DataStore's database directly. Rows are capped by CKAN's `ckan.datastore.search.rows_max`;
how many heavy queries run at once is bounded in front of CKAN (ckan/nginx) and by the heavy pool's threads.
Messages are Japanese, then English, as in the rest of odl's API. The plugin `odl_api_limits` (listed after
`odl_datastore` in ckan.plugins) chains these in front of CKAN's actions and any other plugin's chain.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
from ckan.plugins import toolkit
from ckan.types import Action, ChainedAction, Context, DataDict

SQL_TIMEOUT_MS = "ckanext.odl.api.sql_timeout_ms"
SEARCH_TIMEOUT_MS = "ckanext.odl.api.search_timeout_ms"
OFFSET_MAX = "ckanext.odl.api.offset_max"
DEFAULTS = {SQL_TIMEOUT_MS: 5000, SEARCH_TIMEOUT_MS: 10000, OFFSET_MAX: 100000}
# What CKAN's backend says when PostgreSQL cancels a statement at its timeout.
CKAN_TIMEOUT_ERRORS = ("Query took too long", "Search took too long")


def setting(key: str) -> int:
    return int(toolkit.config.get(key, DEFAULTS[key]))


def _timed_out(error: toolkit.ValidationError) -> bool:
    return any(message in CKAN_TIMEOUT_ERRORS for message in error.error_dict.get("query", []))


def timeout_message(milliseconds: int, hint_ja: str, hint_en: str) -> str:
    seconds = f"{milliseconds / 1000:g}"
    return (
        f"問い合わせが上限の {seconds} 秒を超えたため中止しました。{hint_ja} / "
        f"The query ran longer than the {seconds} s limit and was stopped: {hint_en}"
    )


def run_within(timeout: int, up_func: Action, context: Context, data_dict: DataDict, hint_ja: str, hint_en: str) -> Any:
    """up_func under a statement timeout of `timeout` ms; CKAN's bare timeout error becomes one that says what to do."""
    context["query_timeout"] = timeout  # type: ignore[typeddict-unknown-key]
    try:
        return up_func(context, data_dict)
    except toolkit.ValidationError as error:
        if not _timed_out(error):
            raise
        raise toolkit.ValidationError({"query": [timeout_message(timeout, hint_ja, hint_en)]}) from error


@toolkit.side_effect_free  # GET stays allowed: the chain keeps the attributes of its links
@toolkit.chained_action
def datastore_search_sql(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    return run_within(
        setting(SQL_TIMEOUT_MS),
        up_func,
        context,
        data_dict,
        "条件や集計を絞るか、表全体は /datastore/dump/<resource_id> からダウンロードしてください。",
        "narrow the query, or download the whole table from /datastore/dump/<resource_id>.",
    )


@toolkit.side_effect_free
@toolkit.chained_action
def datastore_search(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    offset_max = setting(OFFSET_MAX)
    try:
        offset = int(data_dict.get("offset") or 0)
    except (TypeError, ValueError):
        offset = 0  # not a number: CKAN's own validation answers it
    if offset > offset_max:
        raise toolkit.ValidationError(
            {
                "offset": [
                    f"offset は {offset_max:,} までです。filters や q で絞り込むか、"
                    "表全体は /datastore/dump/<resource_id> からダウンロードしてください。 / "
                    f"offset is limited to {offset_max:,}: narrow the rows with filters or q, "
                    "or download the whole table from /datastore/dump/<resource_id>."
                ]
            }
        )
    return run_within(
        setting(SEARCH_TIMEOUT_MS),
        up_func,
        context,
        data_dict,
        "filters や q で絞り込んでください。",
        "narrow the rows with filters or q.",
    )


class OdlApiLimitsPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IActions)

    def get_actions(self) -> dict[str, ChainedAction]:
        return {"datastore_search_sql": datastore_search_sql, "datastore_search": datastore_search}
