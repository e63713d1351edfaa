"""DataStore tables as odl's loader leaves them, built here for the CKAN-side search tests.

A table is made through the CKAN API (datastore_create as the sysadmin, so CKAN knows the resource
and its fields), then given odl's two hidden columns with SQL as the DataStore write role, exactly
as the interface between loader and CKAN says:

- `_odl_search text`: U+001F + U+001F.join(cells) + U+001F, each cell NFKC then lower case;
- `_odl_grams text[]`: the distinct unigrams and bigrams of those cells (never spanning two), GIN-indexed.

The cells are the text columns' values in table order (NULL as an empty cell): what the issue's
"LIKE over its text columns" counts. Numbers and dates are not searched by the row form.
"""

import unicodedata
from typing import Any

import psycopg
from ckanapi import NotFound, RemoteCKAN
from psycopg import sql

SEPARATOR = "\x1f"


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def search_text(cells: list[str]) -> str:
    return SEPARATOR + SEPARATOR.join(normalise(cell) for cell in cells) + SEPARATOR


def grams(cells: list[str]) -> list[str]:
    found: dict[str, None] = {}
    for cell in cells:
        text = normalise(cell)
        for i in range(len(text)):
            found[text[i]] = None
            if i + 1 < len(text):
                found[text[i : i + 2]] = None
    return list(found)


def add_odl_columns(write_url: str, resource_id: str) -> None:
    """Give an existing DataStore table `_odl_search` and `_odl_grams` (filled, indexed) as odl's loader does."""
    table = sql.Identifier(resource_id)
    with psycopg.connect(write_url) as connection:
        columns = [
            row[0]
            for row in connection.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                " AND NOT attisdropped AND atttypid = 'text'::regtype AND attname NOT LIKE '\\_%%' ORDER BY attnum",
                (sql.Identifier(resource_id).as_string(connection),),
            )
        ]
        cells = sql.SQL(", ").join(sql.Identifier(column) for column in columns)
        rows = connection.execute(sql.SQL("SELECT _id, {} FROM {}").format(cells, table)).fetchall()
        connection.execute(
            sql.SQL("ALTER TABLE {} ADD COLUMN _odl_search text, ADD COLUMN _odl_grams text[]").format(table)
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                sql.SQL("UPDATE {} SET _odl_search = %s, _odl_grams = %s WHERE _id = %s").format(table),
                [
                    (search_text([cell or "" for cell in cells]), grams([cell or "" for cell in cells]), row_id)
                    for row_id, *cells in rows
                ],
            )
        connection.execute(
            sql.SQL("CREATE INDEX {} ON {} USING gin (_odl_grams)").format(
                sql.Identifier(f"{resource_id}_odl_grams"), table
            )
        )


def create_table(
    sysadmin: RemoteCKAN,
    write_url: str,
    package_id: str,
    fields: list[dict[str, Any]],
    records: list[dict[str, Any]],
    *,
    odl: bool = True,
    name: str = "DataStore",
) -> str:
    """A DataStore resource on package_id holding records; an odl table unless odl=False. Its resource id."""
    result = sysadmin.action.datastore_create(
        resource={"package_id": package_id, "name": name, "format": "DataStore"},
        fields=fields,
        records=records,
        force=True,
    )
    resource_id: str = result["resource_id"]
    if odl:
        add_odl_columns(write_url, resource_id)
    return resource_id


def purge_dataset(sysadmin: RemoteCKAN, package_id: str) -> None:
    """Purge a test dataset and its DataStore tables (dataset_purge alone leaves the tables behind)."""
    try:
        package = sysadmin.action.package_show(id=package_id)
    except NotFound:
        return
    for resource in package["resources"]:
        if resource.get("datastore_active"):
            sysadmin.action.datastore_delete(resource_id=resource["id"], force=True)
    sysadmin.action.dataset_purge(id=package_id)
