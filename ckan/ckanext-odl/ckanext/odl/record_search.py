"""`odl_record_search`: one query across the rows of every public DataStore table odl publishes (横断検索).

Which tables: a DataStore table with `_odl_grams` (loaded by odl), whose resource and dataset are
active and whose dataset is public — for every caller, sysadmins included, so the answer is the
same public answer for everyone — and that CKAN's permission labels let the caller see (the same
labels package_search filters by). A private dataset's rows are never read.

Each table is searched as `datastore_search` with `q` searches it (text_match): every word
anywhere in a row, best rows first, with the same kind of bounds (bounded.py): the rows shown are
the best of the table's first RANK_WINDOW (100) matches in table order, and a table's count is
exact below the estimation threshold, else estimated (`count_was_estimated`). Two connections
search the tables at once. The answer groups the rows by dataset, the datasets with most matching
rows first (then by title):

    {"count": <matching rows in all>, "count_was_estimated", "datasets": [{"name", "title",
     "organization" (its name), "organization_title", "resource_id", "count", "count_was_estimated",
     "records": [<up to limit rows>], "fields": [{"id", "type", "info"?}]}]}
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.lib.plugins import get_permission_labels
from ckan.plugins import toolkit
from ckan.types import Context
from sqlalchemy.exc import DBAPIError

from ckanext.datastore.backend.postgres import get_read_engine, identifier
from ckanext.odl import bounded
from ckanext.odl.text_match import GRAMS_COLUMN, MatchBuilder, words

DEFAULT_LIMIT = 5
MAX_LIMIT = 100
TIMEOUT_MS = 15000
# A table's count is exact below this many matching rows, else estimated (bounded.py).
THRESHOLD = bounded.TOTAL_ESTIMATION_THRESHOLD
# Per table, a smaller sample and window than datastore_search's: one search reads every table, and
# shows at most MAX_LIMIT rows of each.
SAMPLE_ROWS = 2000
RANK_WINDOW = MAX_LIMIT
# Tables searched at once, each on its own connection (this machine has 2 cores).
SEARCH_CONNECTIONS = 2
_QUERY_CANCELED = "57014"

_ODL_TABLES = sa.text(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = c.oid"
    " WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attname = :column AND NOT a.attisdropped"
)
# Columns in table order with DataStore's type names (pg_type.typname, as datastore_search gives
# them) and the data dictionary CKAN keeps as JSON in each column's comment.
_COLUMNS = sa.text(
    "SELECT c.relname, a.attname, t.typname, col_description(c.oid, a.attnum)"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_type t ON t.oid = a.atttypid"
    " WHERE n.nspname = 'public' AND c.relname = ANY(:tables) AND a.attnum > 0 AND NOT a.attisdropped"
    " ORDER BY c.relname, a.attnum"
)


@dataclass
class Table:
    """A public odl DataStore resource and its dataset, as the answer names them."""

    resource_id: str
    name: str
    title: str
    organization: str | None
    organization_title: str | None
    fields: list[dict[str, Any]]


def _limit(value: Any) -> int:
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise toolkit.Invalid(toolkit._("Must be a natural number")) from None
    if not 0 <= limit <= MAX_LIMIT:
        raise toolkit.Invalid(f"limit must be between 0 and {MAX_LIMIT}")
    return limit


def _schema() -> dict[str, Any]:
    get = toolkit.get_validator
    return {
        "q": [get("not_empty"), get("unicode_safe")],
        "organization": [get("ignore_missing"), get("unicode_safe")],
        "limit": [get("default")(DEFAULT_LIMIT), _limit],
    }


def _organization_id(name_or_id: str) -> str:
    group = model.Group.get(name_or_id)
    if group is None or not group.is_organization or group.state != "active":
        raise toolkit.ObjectNotFound(f"organization not found: {name_or_id}")
    return str(group.id)


def _visible_packages(
    context: Context, resource_ids: list[str], organization_id: str | None
) -> dict[str, tuple[Any, Any]]:
    """resource id → (its active, public dataset, its organization) for the resources the caller
    may see by permission labels."""
    query = (
        model.Session.query(model.Resource.id, model.Package, model.Group)
        .join(model.Package, model.Package.id == model.Resource.package_id)
        .outerjoin(model.Group, model.Group.id == model.Package.owner_org)
        .filter(model.Resource.id.in_(resource_ids))
        .filter(model.Resource.state == "active")
        .filter(model.Package.state == "active")
        .filter(model.Package.private.is_(False))
    )
    if organization_id:
        query = query.filter(model.Package.owner_org == organization_id)
    labels = get_permission_labels()
    user = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    user_labels = set(labels.get_user_dataset_labels(user))
    return {
        resource_id: (package, organization)
        for resource_id, package, organization in query.all()
        if user_labels & set(labels.get_dataset_labels(package))
    }


def _fields(rows: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """table → its fields as datastore_search lists them: `_id` first, no other `_` column."""
    fields: dict[str, list[dict[str, Any]]] = {}
    for table, column, type_name, comment in rows:
        if column == "_id":
            fields.setdefault(table, []).insert(0, {"id": "_id", "type": "int"})
            continue
        if column.startswith("_"):
            continue
        field: dict[str, Any] = {"id": column, "type": type_name}
        try:
            info = json.loads(comment)["_info"] if comment else None
        except (ValueError, TypeError, KeyError):
            info = None
        if isinstance(info, dict):
            field["info"] = info
        fields.setdefault(table, []).append(field)
    return fields


def _tables(connection: Any, context: Context, organization_id: str | None) -> list[Table]:
    odl_tables = [row[0] for row in connection.execute(_ODL_TABLES, {"column": GRAMS_COLUMN})]
    if not odl_tables:
        return []
    packages = _visible_packages(context, odl_tables, organization_id)
    if not packages:
        return []
    fields = _fields(list(connection.execute(_COLUMNS, {"tables": list(packages)})))
    tables = []
    for resource_id, (package, organization) in packages.items():
        tables.append(
            Table(
                resource_id=resource_id,
                name=package.name,
                title=package.title or package.name,
                organization=organization.name if organization else None,
                organization_title=(organization.title or organization.name) if organization else None,
                fields=fields.get(resource_id, []),
            )
        )
    return tables


def _search_table(connection: Any, table: Table, row_words: list[str], limit: int) -> tuple[int, bool, list[Any]]:
    """(matching rows, whether that count is estimated, the best `limit` of them as objects).

    Bounded as datastore_search is (bounded.py), with windows of RANK_WINDOW matches: the rows come
    window by window, best first in each, and the count is exact below the estimation threshold."""
    name = identifier(table.resource_id)
    indexed, scanned = MatchBuilder(), MatchBuilder("odl_s", use_grams=False)
    indexed.row(row_words)
    scanned.row(row_words)
    rows = bounded.table_rows(connection, name)
    sample = bounded.sample(connection, name, scanned.match.where, indexed.match.index_where, rows, SAMPLE_ROWS)
    counted = bounded.total(connection, name, indexed.match.where, THRESHOLD, sample)
    if not counted.count or not limit:
        return counted.count, counted.estimated, []
    match, where = indexed.match, indexed.match.with_rank_params(["rank"])
    if counted.ids is not None:  # every match is known: read those rows alone
        where = [bounded.ids_clause(counted.ids, match.rank_parameters(["rank"]))]
    elif bounded.scan_in_table_order(sample, limit, RANK_WINDOW):
        bounded.pin_table_order(connection)
        match, where = scanned.match, scanned.match.with_rank_params(["rank"])
        last = bounded.last_id_to_read(connection, name, match.where, limit, sample, RANK_WINDOW)
        if last is not None:
            where = [*where, ("_id <= :odl_last_id", {"odl_last_id": last})]
    columns = ", ".join(identifier(field["id"]) for field in table.fields)
    order = ", ".join(bounded.window_sort([f"{match.ranks['rank']} DESC"], RANK_WINDOW))
    statement = sa.text(
        f"SELECT json_agg(hit)::text FROM (SELECT {columns} FROM {name} WHERE {bounded.conditions(where)}"
        f" ORDER BY {order} LIMIT :odl_limit) hit"
    )
    try:
        records = connection.execute(statement, {**bounded.parameters(where), "odl_limit": limit}).scalar()
    finally:
        bounded.unpin_table_order(connection)
    return counted.count, counted.estimated, json.loads(records) if records else []


def _search_tables(tables: list[Table], row_words: list[str], limit: int) -> list[dict[str, Any]]:
    """The datasets of these tables that have matching rows, as the answer lists them (one connection)."""
    datasets = []
    with get_read_engine().connect() as connection:
        try:
            connection.execute(sa.text(f"SET LOCAL statement_timeout TO {TIMEOUT_MS}"))
            bounded.one_process(connection)
            for table in tables:
                count, estimated, records = _search_table(connection, table, row_words, limit)
                if count:
                    datasets.append(
                        {
                            "name": table.name,
                            "title": table.title,
                            "organization": table.organization,
                            "organization_title": table.organization_title,
                            "resource_id": table.resource_id,
                            "count": count,
                            "count_was_estimated": estimated,
                            "records": records,
                            "fields": table.fields,
                        }
                    )
        except DBAPIError as error:
            if getattr(error.orig, "pgcode", None) == _QUERY_CANCELED:
                raise toolkit.ValidationError({"q": ["Search took too long"]}) from None
            raise
    return datasets


@toolkit.side_effect_free
def odl_record_search(context: Context, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Rows of every public DataStore table odl publishes that contain every word of q.

    :param q: one or more words (separated by spaces); each must be in some cell of the row, as a
        substring after NFKC and lower case (ｶﾅ finds カナ, ＡＢＣ finds abc)
    :param organization: only the datasets of this organization (name or id)
    :param limit: rows returned per dataset, best first (default 5, at most 100); `count` is all of them
    :returns: {"count", "count_was_estimated", "datasets": [{"name", "title", "organization",
        "organization_title", "resource_id", "count", "count_was_estimated", "records", "fields"}]},
        the datasets with most matching rows first, then by title; a count of 1,000 rows or more is
        estimated; "fields" and "records" as datastore_search gives them (hidden columns left out)
    """
    toolkit.check_access("odl_record_search", context, data_dict)
    data, errors = toolkit.navl_validate(data_dict, _schema(), context)
    if errors:
        raise toolkit.ValidationError(errors)
    row_words = words(data["q"])
    if not row_words:
        raise toolkit.ValidationError({"q": [toolkit._("Missing value")]})
    organization_id = _organization_id(data["organization"]) if data.get("organization") else None

    with get_read_engine().connect() as connection:
        tables = _tables(connection, context, organization_id)
    # A few connections, each searching its share of the tables in turn.
    shares = [tables[start::SEARCH_CONNECTIONS] for start in range(SEARCH_CONNECTIONS)]
    with ThreadPoolExecutor(SEARCH_CONNECTIONS) as pool:
        found = pool.map(lambda share: _search_tables(share, row_words, data["limit"]), [s for s in shares if s])
        datasets = [dataset for share in found for dataset in share]
    datasets.sort(key=lambda dataset: (-dataset["count"], dataset["title"]))
    return {
        "count": sum(dataset["count"] for dataset in datasets),
        "count_was_estimated": any(dataset["count_was_estimated"] for dataset in datasets),
        "datasets": datasets,
    }


@toolkit.auth_allow_anonymous_access
def odl_record_search_auth(context: Context, data_dict: dict[str, Any]) -> dict[str, bool]:
    """Anyone may search: the action itself only ever reads public datasets' tables."""
    return {"success": True}
