"""`datastore_search` with `q` on odl's tables: substring search for Japanese instead of `_full_text @@`.

CKAN's `datastore` plugin runs first and builds its query from `q` / `full_text`: a `ts_query`
(`, plainto_tsquery(...) "query"`), where clauses `_full_text @@ "query"`, rank expressions
`ts_rank(...)` in the select list (the `rank` / `rank <column>` fields) and, without an explicit
`sort`, in the order. On a table that carries `_odl_grams` this hook takes exactly those pieces out
again — it rebuilds them with CKAN's own functions to know which they are — and puts in the
substring match and rank from `text_match`, plus `_id` as the last sort key so pages are stable.
`filters`, an explicit `sort`, `fields`, `limit`, `offset` and `distinct` stay CKAN's (and
`records_format=lists` with a rank field works, which in stock CKAN 2.11 is a syntax error).
Tables without `_odl_grams` (not loaded by odl) keep CKAN's behaviour untouched.

So that a word matching most of a million rows still answers at once (bounded.py): without an
explicit `sort`, rows are ranked within windows of `bounded.RANK_WINDOW` matches in table order, and
`total` is counted here — exact below `total_estimation_threshold` (the caller's, else
`bounded.TOTAL_ESTIMATION_THRESHOLD`), else estimated with `total_was_estimated` true — instead of
by CKAN's count(*) of every match, which the hook turns off (`include_total`, put back for the
caller by `restore_include_total`).

`plain` and `language` have no meaning for substring search and are ignored on odl's tables.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ckanext.datastore.backend import postgres
from ckanext.odl import bounded
from ckanext.odl.text_match import GRAMS_COLUMN, MatchBuilder, words

_HAS_GRAMS = sa.text(
    "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(quote_ident(:table))"
    " AND attname = :column AND attnum > 0 AND NOT attisdropped)"
)


def is_odl_table(connection: Any, resource_id: str) -> bool:
    """Whether odl's loader built this table (it has `_odl_grams`). Asked on every search, not
    cached: a publish swaps tables, and a table CKAN made may later be loaded by odl."""
    return bool(connection.execute(_HAS_GRAMS, {"table": resource_id, "column": GRAMS_COLUMN}).scalar())


def _stock_pieces(data_dict: dict[str, Any], fields_types: dict[str, str]) -> tuple[list[Any], dict[str, str]]:
    """The where clauses and rank expressions CKAN's datastore plugin added for q / full_text."""
    text_search = {key: data_dict[key] for key in ("q", "full_text", "language") if key in data_dict}
    where = postgres._where_clauses(text_search, fields_types)
    _ts_query, ranks = postgres._textsearch_query(
        postgres._fts_lang(data_dict.get("language")),
        data_dict.get("q"),
        data_dict.get("plain", True),
        data_dict.get("full_text"),
    )
    return where, ranks


def _odl_match(data_dict: dict[str, Any], fields_types: dict[str, str], *, use_grams: bool = True) -> MatchBuilder:
    builder = MatchBuilder("odl_q" if use_grams else "odl_s", use_grams=use_grams)
    q = data_dict.get("q")
    row_words = words(q) if isinstance(q, str) else []
    full_text = data_dict.get("full_text")
    if isinstance(full_text, str):
        row_words = list(dict.fromkeys(row_words + words(full_text)))
    builder.row(row_words)
    if isinstance(q, dict):
        for column, value in q.items():
            if column in fields_types and isinstance(value, str):
                builder.column(column, fields_types[column], words(value))
    return builder


def rewrite_search(
    connection: Any, data_dict: dict[str, Any], fields_types: dict[str, str], query_dict: dict[str, Any]
) -> dict[str, Any]:
    """query_dict with CKAN's full-text pieces replaced by odl's substring match, on odl's tables."""
    if not (data_dict.get("q") or data_dict.get("full_text")):
        return query_dict
    if not is_odl_table(connection, data_dict["resource_id"]):
        return query_dict
    stock_where, stock_ranks = _stock_pieces(data_dict, fields_types)
    filters = [clause for clause in query_dict.get("where", []) if clause not in stock_where]
    table = postgres.identifier(data_dict["resource_id"])
    indexed = _odl_match(data_dict, fields_types).match
    scanned = _odl_match(data_dict, fields_types, use_grams=False).match
    bounded.one_process(connection)
    rows = bounded.table_rows(connection, table)
    estimated = bounded.sample(connection, table, filters + scanned.where, indexed.index_where, rows)
    rows_needed = int(query_dict.get("offset", 0)) + int(query_dict.get("limit", 0))
    match = scanned if bounded.scan_in_table_order(estimated, rows_needed) else indexed

    query_dict["ts_query"] = ""

    def ours(sql: str) -> str:
        for name, expression in stock_ranks.items():
            if expression in sql and data_dict.get("records_format") == "lists":
                # CKAN names rank columns even inside the `'[' || … || ']'` of lists, a syntax error.
                sql = sql.removesuffix(f" as {postgres.identifier(name)}")
            # A rank column the words left empty (q={"列名": "  "}) still has to be selectable.
            sql = sql.replace(expression, f"CAST({match.ranks.get(name, '0')} AS double precision)")
        return sql

    query_dict["select"] = [ours(column) for column in query_dict.get("select", [])]
    sort = query_dict.get("sort", [])
    rank_sort = [f"{expression} DESC" for expression in stock_ranks.values()]
    # No explicit sort: best rows first, window by window (a window function, which DISTINCT would not allow).
    ranked = bool(sort) and sort == rank_sort and not query_dict.get("distinct")
    if ranked:
        query_dict["sort"] = bounded.window_sort([ours(clause) for clause in sort])
    used = [
        name
        for name, expression in match.ranks.items()
        if any(expression in clause for clause in query_dict["select"] + query_dict["sort"])
    ]
    query_dict["where"] = filters + match.with_rank_params(used)
    threshold = data_dict.get("total_estimation_threshold")
    counted = bounded.total(
        connection,
        table,
        filters + indexed.where,
        bounded.TOTAL_ESTIMATION_THRESHOLD if threshold is None else int(threshold),
        estimated,
    )
    if data_dict.get("include_total", True) and not query_dict.get("distinct"):
        data_dict["total"], data_dict["total_was_estimated"] = counted.count, counted.estimated
        data_dict["include_total"] = False  # counted: CKAN's own count would read every match
        data_dict[_TOTAL_COUNTED] = True
    if counted.ids is not None:  # every match is known: the page reads those rows alone
        query_dict["where"] = [bounded.ids_clause(counted.ids, match.rank_parameters(used))]
    elif match is scanned and ranked:  # (an explicit sort reads every match: the planner's plan then)
        bounded.pin_table_order(connection)  # after the count, which goes through the grams' index
        last = bounded.last_id_to_read(connection, table, filters + match.where, rows_needed, estimated)
        if last is not None:
            query_dict["where"].append(("_id <= :odl_last_id", {"odl_last_id": last}))
    return query_dict


_TOTAL_COUNTED = "_odl_total_counted"


def restore_include_total(result: dict[str, Any]) -> dict[str, Any]:
    """The action's answer as the caller asked for it: `include_total` back to true where the hook
    counted `total` itself (CKAN returns the request's keys with the result)."""
    if result.pop(_TOTAL_COUNTED, False):
        result["include_total"] = True
    return result
