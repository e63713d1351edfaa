"""Bulk loads into CKAN's DataStore database with zero downtime, and rollback.

CKAN keeps a DataStore resource as the table `public."<resource id>"`, created by `datastore_create`
with `_id` (serial primary key), `_full_text` (tsvector, filled by the trigger `zfulltext`), the
contract's columns, the data dictionary as column comments, a unique index for the primary key and
full-text indexes; `datastore_search` finds the table by name in `public`.

A load never touches that live table's rows. In one transaction it:

1. builds `odl_staging."<resource id>"` like the live table (columns, NOT NULLs, comments — the
   data dictionary — but its own `_id` sequence), COPYs the rows in through a temporary table and
   fills `_full_text` set-based, as CKAN's trigger would row by row;
2. adds the live table's constraints, indexes (same names: they live in another schema), triggers
   and grants, and ANALYZEs it;
3. drops the version kept before, moves the live table to `odl_previous` and the new one to `public`.

Readers keep the live table until the commit and see the new one after it; a load that fails or is
killed rolls back and leaves nothing behind. The version of each table is in its table comment
(CKAN reads only column comments). `rollback` swaps `public` and `odl_previous` back.
"""

import json
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

LIVE, STAGING, PREVIOUS = "public", "odl_staging", "odl_previous"
SWAP_LOCK_TIMEOUT = "10s"  # the swap waits this long for running readers, then the load fails and is retried


class DatastoreError(Exception):
    """The DataStore table is not in a state this loader can work with (no table, no previous version …)."""


@dataclass(frozen=True)
class TableVersion:
    version: str
    rows: int
    loaded_at: str


@dataclass(frozen=True)
class LoadResult:
    resource_id: str
    version: str
    rows: int
    seconds: float
    previous_version: str | None


def _relname(schema: str, resource_id: str) -> str:
    """CKAN finds a resource's table by name alone, in any schema: only the live one may carry the bare id."""
    return {LIVE: resource_id, STAGING: f"{resource_id}__next", PREVIOUS: f"{resource_id}__previous"}[schema]


def _qualified(schema: str, resource_id: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(_relname(schema, resource_id)))


def _move(cursor: psycopg.Cursor[Any], resource_id: str, source: str, target: str) -> None:
    """Rename where the new name is free: after moving out of `public`, else before moving."""
    if source == LIVE:
        cursor.execute(
            sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(_qualified(source, resource_id), sql.Identifier(target))
        )
        moved = sql.SQL("{}.{}").format(sql.Identifier(target), sql.Identifier(resource_id))
        cursor.execute(
            sql.SQL("ALTER TABLE {} RENAME TO {}").format(moved, sql.Identifier(_relname(target, resource_id)))
        )
    else:
        cursor.execute(
            sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                _qualified(source, resource_id), sql.Identifier(_relname(target, resource_id))
            )
        )
        renamed = sql.SQL("{}.{}").format(sql.Identifier(source), sql.Identifier(_relname(target, resource_id)))
        cursor.execute(sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(renamed, sql.Identifier(target)))


class DatastoreLoader:
    """COPY-based loads into the DataStore database, as its write role (the `ckan_datastore` Connection)."""

    def __init__(self, url: str) -> None:
        self._url = url

    def __repr__(self) -> str:
        return "DatastoreLoader(<url hidden>)"

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(self._url, application_name="odl-publish") as connection:
            yield connection

    def version(self, resource_id: str, schema: str = LIVE) -> TableVersion | None:
        """The version a table holds, from its comment; None when there is no table or it was not loaded by odl."""
        with self._connect() as connection:
            return _table_version(connection, schema, _relname(schema, resource_id))

    def load(
        self,
        resource_id: str,
        chunks: Iterable[bytes],
        version: str,
        *,
        columns: list[str],
        keep_previous: bool = True,
        full_text: bool = True,
    ) -> LoadResult:
        """Replace the rows of the live table with the CSV chunks (no header, values in the order of `columns`).

        full_text=False leaves `_full_text` empty (no `q` search on this version) and skips its cost, the
        largest of a big load; rows later added through the API still get it from CKAN's trigger.
        """
        started = time.perf_counter()
        with self._connect() as connection, connection.transaction():
            cursor = connection.cursor()
            _lock_resource(cursor, resource_id)
            live = _table_oid(cursor, LIVE, resource_id)
            if live is None:
                raise DatastoreError(f"no DataStore table for resource {resource_id}: run datastore_create first")
            _refuse_aliases(cursor, live, resource_id)
            previous = _table_version(connection, LIVE, resource_id)
            unknown = set(columns) - set(_data_columns(cursor, live))
            if unknown:
                raise DatastoreError(f"resource {resource_id} has no columns {sorted(unknown)}: datastore_create first")
            for schema in (STAGING, PREVIOUS):
                cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            staging = _qualified(STAGING, resource_id)
            cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(staging))
            cursor.execute(sql.SQL("SET LOCAL maintenance_work_mem = '256MB'"))
            _create_staging(cursor, resource_id)
            rows = _copy_rows(cursor, staging, columns, chunks, full_text=full_text)
            _add_constraints_indexes_triggers_grants(cursor, live, resource_id)
            cursor.execute(sql.SQL("ANALYZE {}").format(staging))
            loaded = TableVersion(version, rows, datetime.now(UTC).isoformat(timespec="seconds"))
            cursor.execute(
                sql.SQL("COMMENT ON TABLE {} IS {}").format(staging, sql.Literal(json.dumps(loaded.__dict__)))
            )
            _swap_in(cursor, resource_id, keep_previous=keep_previous)
        seconds = time.perf_counter() - started
        log.info(
            "DataStore %s: %s rows of version %s loaded and swapped in (%.1fs)", resource_id, rows, version, seconds
        )
        return LoadResult(resource_id, version, rows, seconds, previous.version if previous else None)

    def rollback(self, resource_id: str) -> TableVersion:
        """Serve the previous version again; the version it replaces becomes the previous one."""
        with self._connect() as connection, connection.transaction():
            cursor = connection.cursor()
            _lock_resource(cursor, resource_id)
            previous = _table_version(connection, PREVIOUS, _relname(PREVIOUS, resource_id))
            if previous is None or _table_oid(cursor, LIVE, resource_id) is None:
                raise DatastoreError(f"resource {resource_id} has no previous version to roll back to")
            cursor.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(SWAP_LOCK_TIMEOUT)))
            cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(STAGING)))
            cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_qualified(STAGING, resource_id)))
            # Through the staging schema: index and sequence names repeat between the two versions.
            _move(cursor, resource_id, PREVIOUS, STAGING)
            _move(cursor, resource_id, LIVE, PREVIOUS)
            _move(cursor, resource_id, STAGING, LIVE)
        log.info("DataStore %s: rolled back to version %s", resource_id, previous.version)
        return previous

    def unique_key(self, resource_id: str) -> list[str]:
        """Columns of the table's unique index other than `_id`: CKAN's `primary_key`, sorted."""
        with self._connect() as connection, connection.cursor() as cursor:
            oid = _table_oid(cursor, LIVE, resource_id)
            cursor.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s AND i.indisunique AND NOT i.indisprimary",
                (oid,),
            )
            return sorted(row[0] for row in cursor.fetchall())

    def dump_csv(self, resource_id: str, columns: list[str], schema: str = LIVE) -> bytes:
        """A table's data columns as CSV with header (for comparing versions when no file is kept)."""
        query = sql.SQL("COPY (SELECT {} FROM {} ORDER BY _id) TO STDOUT (FORMAT csv, HEADER true)").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), _qualified(schema, resource_id)
        )
        with self._connect() as connection, connection.cursor() as cursor, cursor.copy(query) as copy:
            return b"".join(bytes(block) for block in copy)

    def drop(self, resource_id: str) -> None:
        """Forget the kept and staging versions of a resource (CKAN drops the live table itself)."""
        with self._connect() as connection, connection.transaction():
            for schema in (STAGING, PREVIOUS):
                connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_qualified(schema, resource_id)))


def _lock_resource(cursor: psycopg.Cursor[Any], resource_id: str) -> None:
    """One load or rollback per resource at a time (a second waits for the first)."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"odl-datastore:{resource_id}",))


def _table_oid(cursor: psycopg.Cursor[Any], schema: str, table: str) -> int | None:
    cursor.execute(
        "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND c.relkind = 'r'",
        (schema, table),
    )
    row = cursor.fetchone()
    return int(row[0]) if row else None


def _table_version(connection: psycopg.Connection[Any], schema: str, table: str) -> TableVersion | None:
    with connection.cursor() as cursor:
        oid = _table_oid(cursor, schema, table)
        if oid is None:
            return None
        cursor.execute("SELECT obj_description(%s::oid, 'pg_class')", (oid,))
        row = cursor.fetchone()
    try:
        stored = json.loads(row[0]) if row and row[0] else None
        return TableVersion(**stored) if isinstance(stored, dict) else None
    except (TypeError, ValueError):
        return None


def _refuse_aliases(cursor: psycopg.Cursor[Any], live: int, resource_id: str) -> None:
    # A DataStore alias is a view on the table; after a swap it would keep showing the old version.
    cursor.execute(
        "SELECT count(*) FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
        "WHERE d.refobjid = %s AND d.classid = 'pg_rewrite'::regclass",
        (live,),
    )
    row = cursor.fetchone()
    if row and row[0]:
        raise DatastoreError(f"resource {resource_id} has DataStore aliases (views); the odl loader does not swap them")


def _data_columns(cursor: psycopg.Cursor[Any], live: int) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped "
        "AND attname NOT IN ('_id', '_full_text') ORDER BY attnum",
        (live,),
    )
    return [row[0] for row in cursor.fetchall()]


def _create_staging(cursor: psycopg.Cursor[Any], resource_id: str) -> None:
    live, staging = _qualified(LIVE, resource_id), _qualified(STAGING, resource_id)
    sequence = sql.SQL("{}.{}").format(sql.Identifier(STAGING), sql.Identifier(f"{resource_id}__id_seq"))
    cursor.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING COMMENTS INCLUDING STORAGE)").format(staging, live))
    cursor.execute(sql.SQL("CREATE SEQUENCE {} OWNED BY {}._id").format(sequence, staging))
    cursor.execute(
        sql.SQL("ALTER TABLE {} ALTER COLUMN _id SET DEFAULT nextval({}::regclass)").format(
            staging, sql.Literal(sequence.as_string(cursor))
        )
    )


def _copy_rows(
    cursor: psycopg.Cursor[Any], staging: sql.Composed, columns: list[str], chunks: Iterable[bytes], *, full_text: bool
) -> int:
    """COPY into an unlogged temporary table, then one INSERT … SELECT that fills _full_text too."""
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    cursor.execute(
        sql.SQL("CREATE TEMPORARY TABLE odl_incoming ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            names, staging
        )
    )
    with cursor.copy(sql.SQL("COPY odl_incoming ({}) FROM STDIN (FORMAT csv)").format(names)) as copy:
        for chunk in chunks:
            copy.write(chunk)
    # The same text CKAN's populate_full_text_trigger indexes: every data column's value, space-separated.
    vector = sql.SQL("to_tsvector(concat_ws(' ', {}))").format(
        sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(name)) for name in columns)
    )
    cursor.execute(
        sql.SQL("INSERT INTO {} ({}, _full_text) SELECT {}, {} FROM odl_incoming").format(
            staging, names, names, vector if full_text else sql.SQL("NULL")
        )
    )
    rows = cursor.rowcount
    cursor.execute("DROP TABLE odl_incoming")
    return rows


def _add_constraints_indexes_triggers_grants(cursor: psycopg.Cursor[Any], live: int, resource_id: str) -> None:
    staging = _qualified(STAGING, resource_id)
    cursor.execute("SET LOCAL search_path = pg_catalog")  # definitions below then name every table with its schema
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s AND contype IN ('p', 'u')",
        (live,),
    )
    for name, definition in cursor.fetchall():
        cursor.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(staging, sql.Identifier(name), sql.SQL(definition))
        )
    # As pg_get_*def print them: quoted only where needed.
    cursor.execute(
        "SELECT format('%%I.%%I', %s::text, %s::text), format('%%I.%%I', %s::text, %s::text)",
        (LIVE, resource_id, STAGING, _relname(STAGING, resource_id)),
    )
    live_name, staging_name = cursor.fetchone() or ("", "")
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)",
        (live,),
    )
    for (definition,) in cursor.fetchall():
        cursor.execute(_retarget(definition, live_name, staging_name))
    cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s AND NOT tgisinternal", (live,))
    for (definition,) in cursor.fetchall():
        cursor.execute(_retarget(definition, live_name, staging_name))
    cursor.execute(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, a.privilege_type "
        "FROM pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = %s AND a.grantee <> c.relowner",
        (live,),
    )
    for grantee, privilege in cursor.fetchall():
        cursor.execute(sql.SQL("GRANT {} ON {} TO {}").format(sql.SQL(privilege), staging, sql.SQL(grantee)))
    cursor.execute("RESET search_path")


def _retarget(definition: str, live_name: str, staging_name: str) -> sql.SQL:
    marker = f" ON {live_name} "
    if marker not in definition:
        raise DatastoreError(f"cannot copy {definition!r}: it does not name {live_name}")
    return sql.SQL(definition.replace(marker, f" ON {staging_name} ", 1))


def _swap_in(cursor: psycopg.Cursor[Any], resource_id: str, *, keep_previous: bool) -> None:
    cursor.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(SWAP_LOCK_TIMEOUT)))
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_qualified(PREVIOUS, resource_id)))
    _move(cursor, resource_id, LIVE, PREVIOUS)
    _move(cursor, resource_id, STAGING, LIVE)
    if not keep_previous:
        cursor.execute(sql.SQL("DROP TABLE {}").format(_qualified(PREVIOUS, resource_id)))
