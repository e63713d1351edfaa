"""Bulk loads into CKAN's DataStore database with zero downtime, and rollback.

CKAN keeps a DataStore resource as the table `public."<resource id>"`, created by `datastore_create`
with `_id` (serial primary key), `_full_text` (tsvector, filled by the trigger `zfulltext`), the
contract's columns, the data dictionary as column comments, a unique index for the primary key and
full-text indexes; `datastore_search` finds the table by name in `public`.

Two complete tables are kept per resource: the live one in `public` and the version before it in
`odl_previous` (for rollback). A load never touches the live table's rows. In one transaction it
COPYs the new rows into a temporary table (`_id` = row number in the file), then either

- **reload in place of the previous version** — when the kept table has the live one's shape and at
  most half of the rows differ from it (by `_odl_row_hash`, a 64-bit hash of each row's cells as
  text, written with every row odl loads): deletes the rows that differ and inserts the new ones, so
  the full-text and key indexes change only where the data did (rebuilding CKAN's GiST index on
  `_full_text` is most of a large load); or
- **rebuild** — builds `odl_staging."<resource id>__next"` like the live table (columns, NOT NULLs,
  comments — the data dictionary — its own `_id` sequence), fills it set-based, then adds the live
  table's constraints, indexes, triggers and grants;

and swaps: the new table becomes live, the live one becomes the kept previous version.

Readers keep the live table until the commit and see the new one after it; a load that fails or is
killed rolls back and leaves both tables as they were. The version of each table is in its table
comment (CKAN reads only column comments). `rollback` swaps the two tables back.

Search (issue 14): every row gets `_odl_search` and `_odl_grams` (see transforms.publish.search),
computed in Python from the text PostgreSQL serves for each cell, COPYed back and written with the
row; `_odl_grams` has a GIN index. CKAN's `_full_text` finds Japanese only as whole cells, so it is
left NULL: its GiST index over NULLs costs about a second for a million rows (over filled tsvectors,
13 s; over empty ones, 24 s), and CKAN's `zfulltext` trigger, which fills a NULL `_full_text`, is
disabled while an in-place reload inserts (and enabled again in the same transaction).
"""

import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from transforms.publish import search

log = logging.getLogger(__name__)

LIVE, STAGING, PREVIOUS = "public", "odl_staging", "odl_previous"
SWAP_LOCK_TIMEOUT = "10s"  # the swap waits this long for running readers, then the load fails and is retried
# Past this share of changed rows, deleting and inserting row by row costs more than building anew.
MAX_CHANGED_SHARE_IN_PLACE = 0.5
STALE_STATISTICS_SHARE = 0.1  # as autovacuum's default analyze scale factor
# A hash of each row's cells as text, written with the row: a reload compares it instead of every cell.
ROW_HASH_COLUMN = "_odl_row_hash"
HIDDEN_COLUMNS = ("_id", "_full_text", search.SEARCH_COLUMN, search.GRAMS_COLUMN, ROW_HASH_COLUMN)
SEARCH_BATCH_ROWS = 100_000  # rows whose search columns are computed at once: two parts of about 0.4 GB in flight


class DatastoreError(Exception):
    """The DataStore table is not in a state this loader can work with (no table, no previous version …)."""


@dataclass(frozen=True)
class TableVersion:
    version: str
    rows: int
    loaded_at: str
    full_text: bool = False  # True: `_full_text` filled (versions loaded before issue 14)
    search: bool = False  # True: `_odl_search` and `_odl_grams` filled (loads since issue 14)
    row_hash: bool = False  # True: `_odl_row_hash` filled for every row odl wrote


@dataclass(frozen=True)
class TableShape:
    """New columns (`datastore_create` fields: id, type, info) and unique key, built into the new table."""

    fields: list[dict[str, Any]]
    primary_key: list[str]


@dataclass(frozen=True)
class LoadResult:
    resource_id: str
    version: str
    rows: int
    seconds: float
    previous_version: str | None
    method: str = "rebuild"  # rebuild | in_place (see the module docstring)
    changed_rows: int | None = None  # rows deleted plus rows inserted, for an in-place reload
    phases: dict[str, float] | None = None  # seconds by step (copy, search, insert, indexes, …), for benchmarks


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
        reshape: TableShape | None = None,
    ) -> LoadResult:
        """Replace the rows of the live table with the CSV chunks (no header, values in the order of `columns`).

        reshape: columns, types, data dictionary and key for the new table, made as `datastore_create`
        would make them, so that citizens get the new columns together with the rows that fill them.
        """
        started = time.perf_counter()
        phases = _Phases()
        self._ensure_schemas()
        with self._connect() as connection, connection.transaction():
            cursor = connection.cursor()
            _lock_resource(cursor, resource_id)
            live = _table_oid(cursor, LIVE, resource_id)
            if live is None:
                raise DatastoreError(f"no DataStore table for resource {resource_id}: run datastore_create first")
            _refuse_aliases(cursor, live, resource_id)
            # CKAN's column and comment changes wait for the swap (they would be lost in it); reads go on.
            cursor.execute(
                sql.SQL("LOCK TABLE {} IN SHARE UPDATE EXCLUSIVE MODE").format(_qualified(LIVE, resource_id))
            )
            previous = _table_version(connection, LIVE, resource_id)
            types = _column_types(cursor, live) if reshape is None else _checked_types(cursor, reshape)
            unknown = set(columns) - set(types)
            if unknown:
                raise DatastoreError(f"resource {resource_id} has no columns {sorted(unknown)}: datastore_create first")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")  # the row comparison hashes whole tables
            _fix_text_output(cursor)
            rows = _copy_incoming(cursor, {name: types[name] for name in columns}, chunks)
            phases.lap("copy")
            loaded = TableVersion(
                version, rows, datetime.now(UTC).isoformat(timespec="seconds"), search=True, row_hash=True
            )
            changed = None
            if reshape is None:
                changed = _reload_previous_in_place(
                    cursor, connection, live, resource_id, types, columns, loaded, phases
                )
            if changed is None:
                shape = (reshape, types) if reshape else None
                _rebuild_in_staging(cursor, live, resource_id, columns, types, loaded, shape, phases)
                _swap(cursor, resource_id, new=STAGING)
            else:
                _swap(cursor, resource_id, new=PREVIOUS)
            if not keep_previous:
                cursor.execute(sql.SQL("DROP TABLE {}").format(_qualified(PREVIOUS, resource_id)))
            phases.lap("swap")
        phases.lap("commit")
        seconds = time.perf_counter() - started
        method = "rebuild" if changed is None else "in_place"
        log.info(
            "DataStore %s: %s rows of version %s loaded (%s%s) and swapped in (%.1fs)",
            resource_id,
            rows,
            version,
            method,
            "" if changed is None else f", {changed} rows deleted or inserted",
            seconds,
        )
        return LoadResult(
            resource_id, version, rows, seconds, previous.version if previous else None, method, changed, phases.seconds
        )

    def rollback(self, resource_id: str) -> TableVersion:
        """Serve the previous version again; the version it replaces becomes the previous one."""
        self._ensure_schemas()
        with self._connect() as connection, connection.transaction():
            cursor = connection.cursor()
            _lock_resource(cursor, resource_id)
            previous = _table_version(connection, PREVIOUS, _relname(PREVIOUS, resource_id))
            live = _table_oid(cursor, LIVE, resource_id)
            kept = _table_oid(cursor, PREVIOUS, _relname(PREVIOUS, resource_id))
            if previous is None or live is None or kept is None:
                raise DatastoreError(f"resource {resource_id} has no previous version to roll back to")
            served = _table_version(connection, LIVE, resource_id)
            if served is not None and served.search and not previous.search:
                _add_search(cursor, kept, PREVIOUS, resource_id, previous)  # loaded before issue 14
            _same_row_hash_column(cursor, resource_id, live, kept)
            if _shape(cursor, kept) != _shape(cursor, live):
                raise DatastoreError(
                    f"resource {resource_id}: the previous version has other columns or key than the live one "
                    "(its contract changed since); publish that version instead of rolling back"
                )
            _swap(cursor, resource_id, new=PREVIOUS)
        log.info("DataStore %s: rolled back to version %s", resource_id, previous.version)
        return previous

    def _ensure_schemas(self) -> None:
        """The staging and previous schemas, in a short transaction of their own: under the lock that stops two
        first loads racing on CREATE SCHEMA, held for a whole load, another resource's first load would wait."""
        with self._connect() as connection, connection.transaction():
            cursor = connection.cursor()
            cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname IN (%s, %s)", (STAGING, PREVIOUS))
            if (cursor.fetchone() or (0,))[0] == 2:
                return
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended('odl-datastore:schemas', 0))")
            for schema in (STAGING, PREVIOUS):
                cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))

    def unique_key(self, resource_id: str) -> list[str]:
        """Columns of the table's unique index other than `_id`: CKAN's `primary_key`, sorted."""
        with self._connect() as connection, connection.cursor() as cursor:
            oid = _table_oid(cursor, LIVE, resource_id)
            if oid is None:
                return []
            cursor.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s AND i.indisunique AND NOT i.indisprimary",
                (oid,),
            )
            return sorted(row[0] for row in cursor.fetchall())

    def columns(self, resource_id: str, schema: str = LIVE) -> list[str]:
        """The data columns of a table (not `_id`, `_full_text` or the search columns), in order; [] when none."""
        with self._connect() as connection, connection.cursor() as cursor:
            oid = _table_oid(cursor, schema, _relname(schema, resource_id))
            return [] if oid is None else _data_columns(cursor, oid)

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
        "AND NOT attname = ANY(%s) ORDER BY attnum",
        (live, list(HIDDEN_COLUMNS)),
    )
    return [row[0] for row in cursor.fetchall()]


def _column_types(cursor: psycopg.Cursor[Any], table: int) -> dict[str, str]:
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s AND attnum > 0 "
        "AND NOT attisdropped AND NOT attname = ANY(%s) ORDER BY attnum",
        (table, list(HIDDEN_COLUMNS)),
    )
    return dict(cursor.fetchall())


def _checked_types(cursor: psycopg.Cursor[Any], shape: TableShape) -> dict[str, str]:
    """The new columns' types as PostgreSQL names them; a name it does not know is refused, not run as SQL."""
    types = {}
    for field in shape.fields:
        cursor.execute("SELECT format_type(to_regtype(%s), NULL)", (field["type"],))
        known = (cursor.fetchone() or (None,))[0]
        if known is None:
            raise DatastoreError(f"column {field['id']!r}: unknown type {field['type']!r}")
        types[field["id"]] = str(known)
    return types


def _copy_incoming(cursor: psycopg.Cursor[Any], types: dict[str, str], chunks: Iterable[bytes]) -> int:
    """COPY the rows into a temporary table; `_id` numbers them in file order, as the served table will."""
    names = sql.SQL(", ").join(map(sql.Identifier, types))
    definitions = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind)) for name, kind in types.items()
    )
    cursor.execute(
        sql.SQL(
            "CREATE TEMPORARY TABLE odl_incoming (_id bigint GENERATED ALWAYS AS IDENTITY, {}) ON COMMIT DROP"
        ).format(definitions)
    )
    with cursor.copy(sql.SQL("COPY odl_incoming ({}) FROM STDIN (FORMAT csv)").format(names)) as copy:
        for chunk in chunks:
            copy.write(chunk)
    cursor.execute("SELECT count(*) FROM odl_incoming")
    return int((cursor.fetchone() or (0,))[0])


class _Phases:
    """Seconds spent in each step of a load, in order (reported to benchmarks through LoadResult.phases)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - self._last, 3)
        self._last = now


def _served_text(alias: str, column: str, kind: str) -> sql.Composable:
    """A cell as the text `datastore_search` serves: its JSON text, which for these types is the cast to text
    (dates and times in ISO form, see DateStyle in _compute_search), and CKAN's own format for timestamps."""
    value = sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(column))
    if kind.startswith("timestamp"):
        return sql.SQL("""to_char({}, 'YYYY-MM-DD"T"HH24:MI:SS')""").format(value)
    return value if kind == "text" else sql.SQL("{}::text").format(value)


def _fix_text_output(cursor: psycopg.Cursor[Any]) -> None:
    """Values as text the same way in every load: the search text is made from it and the row hash of it."""
    cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")
    cursor.execute("SET LOCAL IntervalStyle = 'postgres'")
    cursor.execute("SET LOCAL extra_float_digits = 1")  # the shortest text that reads back as the same float


def _row_hash(alias: str, columns: list[str]) -> sql.Composable:
    """A row's data cells as one text (a record's, in which NULL and "" differ), hashed to 64 bits.

    columns: in table order (`_hashed`), so that a file with its columns in another order hashes the same."""
    cells = sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(c)) for c in columns)
    return sql.SQL("hashtextextended(ROW({})::text, 0)").format(cells)


def _hashed(types: dict[str, str], columns: list[str]) -> list[str]:
    """The loaded columns in table order: what `_odl_row_hash` is made of."""
    return [name for name in types if name in columns]


def _compute_search(
    cursor: psycopg.Cursor[Any], source: sql.Composable, types: dict[str, str], where: sql.Composable
) -> None:
    """`odl_search_rows` (_id, search, grams): the search columns of the source rows that `where` selects.

    The cells are read back as PostgreSQL serves them, normalised and split into grams in Python
    (transforms.publish.search), and COPYed in: the search text, and the distinct grams as `text[]`.
    """
    _fix_text_output(cursor)
    cursor.execute(
        'CREATE TEMPORARY TABLE odl_search_rows (_id bigint, search text, grams text[] COLLATE "C") ON COMMIT DROP'
    )
    columns = list(types)
    select = sql.SQL("COPY (SELECT s._id, {} FROM {} s {}) TO STDOUT (FORMAT csv)").format(
        sql.SQL(", ").join(_served_text("s", c, types[c]) for c in columns), source, where
    )
    text = bytearray()
    with cursor.copy(select) as copy:
        for block in copy:
            text += block
    if not text:
        return
    names = ["_id", *(f"c{i}" for i in range(len(columns)))]
    read = pacsv.open_csv(
        pa.py_buffer(bytes(text)),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
        convert_options=pacsv.ConvertOptions(
            column_types={"_id": pa.int64(), **{name: pa.string() for name in names[1:]}},
            strings_can_be_null=True,  # COPY writes NULL unquoted and empty, an empty text quoted
            quoted_strings_can_be_null=False,
        ),
    )
    del text
    parts = (
        batch.slice(start, SEARCH_BATCH_ROWS) for batch in read for start in range(0, batch.num_rows, SEARCH_BATCH_ROWS)
    )
    # One part is computed while the one before goes to PostgreSQL, which parses its arrays meanwhile:
    # numpy and Arrow let go of the GIL, so the two overlap on two cores.
    with (
        ThreadPoolExecutor(1) as pool,
        cursor.copy("COPY odl_search_rows (_id, search, grams) FROM STDIN (FORMAT csv)") as copy,
    ):
        computed = None
        for part in parts:
            following = pool.submit(_search_rows_csv, part)
            if computed is not None:
                copy.write(computed.result())
            computed = following
        if computed is not None:
            copy.write(computed.result())


def _search_rows_csv(part: pa.RecordBatch) -> bytes:
    """`odl_search_rows` as CSV for the rows of part (`_id`, then each cell as served text)."""
    cells = [search.normalised_cells(column) for column in part.columns[1:]]
    found = search.search_text(cells)
    rows = pa.table({"_id": part.column(0), "search": found, "grams": search.gram_arrays(found)})
    buffer = pa.BufferOutputStream()
    pacsv.write_csv(rows, buffer, pacsv.WriteOptions(include_header=False))
    return bytes(buffer.getvalue().to_pybytes())


def _insert_incoming(
    cursor: psycopg.Cursor[Any], table: sql.Composed, columns: list[str], hashed: list[str], where: sql.Composable
) -> int:
    """The selected incoming rows, with their search columns from `odl_search_rows`; `_full_text` stays NULL."""
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    values = sql.SQL(", ").join(sql.SQL("n.{}").format(sql.Identifier(c)) for c in columns)
    cursor.execute(
        sql.SQL(
            "INSERT INTO {} (_id, {}, {}, {}, {}) SELECT n._id, {}, s.search, s.grams, {} "
            "FROM odl_incoming n JOIN odl_search_rows s ON s._id = n._id {}"
        ).format(
            table,
            names,
            sql.Identifier(search.SEARCH_COLUMN),
            sql.Identifier(search.GRAMS_COLUMN),
            sql.Identifier(ROW_HASH_COLUMN),
            values,
            _row_hash("n", hashed),
            where,
        )
    )
    inserted = cursor.rowcount
    # API upserts after this load take the next _id. RESTART, unlike setval, is undone with the transaction.
    cursor.execute(
        sql.SQL("SELECT pg_get_serial_sequence({}, '_id'), coalesce(max(_id), 0) + 1 FROM {}").format(
            sql.Literal(table.as_string(cursor)), table
        )
    )
    sequence, following = cursor.fetchone() or (None, 1)
    if sequence is None:
        raise DatastoreError(f"{table.as_string(cursor)}: _id has no sequence of its own")
    cursor.execute(sql.SQL("ALTER SEQUENCE {} RESTART WITH {}").format(sql.SQL(sequence), sql.Literal(following)))
    return inserted


def _finish(cursor: psycopg.Cursor[Any], table: sql.Composed, loaded: TableVersion, *, analyze: bool = True) -> None:
    if analyze:
        cursor.execute(sql.SQL("ANALYZE {}").format(table))
    cursor.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(json.dumps(loaded.__dict__))))


def _incoming_types(types: dict[str, str], columns: list[str]) -> dict[str, str]:
    """The loaded columns in table order (the order `_odl_search` holds cells in), with their types."""
    return {name: kind for name, kind in types.items() if name in columns}


def _rebuild_in_staging(
    cursor: psycopg.Cursor[Any],
    live: int,
    resource_id: str,
    columns: list[str],
    types: dict[str, str],
    loaded: TableVersion,
    reshape: tuple[TableShape, dict[str, str]] | None,
    phases: _Phases,
) -> None:
    """A new table like the live one, filled before its indexes are built (much faster than the other way).

    reshape: the new shape and its checked column types; then the live table's indexes on columns that
    go or change type are left out, and the unique key is the new one.
    """
    staging = _qualified(STAGING, resource_id)
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(staging))
    _create_staging(cursor, resource_id)
    unchanged = None
    if reshape is not None:
        shape, _ = reshape
        before = _column_types(cursor, live)
        unchanged = [name for name, kind in types.items() if before.get(name) == kind] + list(HIDDEN_COLUMNS)
        _reshape(cursor, live, staging, shape, types)
    _compute_search(cursor, sql.SQL("odl_incoming"), _incoming_types(types, columns), sql.SQL(""))
    phases.lap("search")
    _insert_incoming(cursor, staging, columns, _hashed(types, columns), sql.SQL(""))
    phases.lap("insert")
    _add_constraints_indexes_triggers_grants(cursor, live, resource_id, unchanged_columns=unchanged)
    if reshape is not None and reshape[0].primary_key:
        _create_unique_key(cursor, staging, resource_id, reshape[0].primary_key)
    phases.lap("indexes")
    _ensure_grams_index(cursor, staging, resource_id)
    phases.lap("grams_index")
    _finish(cursor, staging, loaded)
    phases.lap("analyze")


def _add_hidden_columns(cursor: psycopg.Cursor[Any], table: sql.Composed) -> None:
    """The search columns and the row hash, where a table (loaded before them) lacks them; NULL until written."""
    # Grams compare byte-wise ("C"): the database's C.UTF-8 compares through strcoll, and the GIN index
    # build sorts every row's grams (10.3 s instead of 14.0 s for a million rows here). `@>` matches the same.
    cursor.execute(
        sql.SQL(
            'ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} text, ADD COLUMN IF NOT EXISTS {} text[] COLLATE "C", '
            "ADD COLUMN IF NOT EXISTS {} bigint"
        ).format(
            table,
            sql.Identifier(search.SEARCH_COLUMN),
            sql.Identifier(search.GRAMS_COLUMN),
            sql.Identifier(ROW_HASH_COLUMN),
        )
    )


def _ensure_grams_index(cursor: psycopg.Cursor[Any], table: sql.Composed, resource_id: str) -> None:
    """The GIN index on `_odl_grams`, unless the table has it already."""
    cursor.execute(
        "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND a.attname = %s",
        (table.as_string(cursor), search.GRAMS_COLUMN),
    )
    if (cursor.fetchone() or (0,))[0]:
        return
    # Named after the resource, as CKAN names its indexes: the same name on every version of the table.
    name = sql.Identifier(f"{resource_id}_odl_grams")
    cursor.execute(
        sql.SQL("CREATE INDEX {} ON {} USING gin ({})").format(name, table, sql.Identifier(search.GRAMS_COLUMN))
    )


@contextmanager
def _full_text_trigger_off(cursor: psycopg.Cursor[Any], oid: int, table: sql.Composed) -> Iterator[None]:
    """CKAN's `zfulltext` trigger fills a NULL `_full_text`: off while odl writes rows, on again after (same transaction)."""
    cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s AND tgname = 'zfulltext'", (oid,))
    found = cursor.fetchone() is not None
    if found:
        cursor.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER zfulltext").format(table))
    yield
    if found:
        cursor.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER zfulltext").format(table))


def _add_search(cursor: psycopg.Cursor[Any], oid: int, schema: str, resource_id: str, held: TableVersion) -> None:
    """Search columns, filled, and their index, on a table loaded before issue 14 (a rollback to it)."""
    table = _qualified(schema, resource_id)
    _add_hidden_columns(cursor, table)
    _compute_search(cursor, table, _column_types(cursor, oid), sql.SQL(""))
    with _full_text_trigger_off(cursor, oid, table):
        cursor.execute(
            sql.SQL("UPDATE {} t SET {} = s.search, {} = s.grams FROM odl_search_rows s WHERE s._id = t._id").format(
                table, sql.Identifier(search.SEARCH_COLUMN), sql.Identifier(search.GRAMS_COLUMN)
            )
        )
    cursor.execute("DROP TABLE odl_search_rows")
    _ensure_grams_index(cursor, table, resource_id)
    _finish(cursor, table, TableVersion(held.version, held.rows, held.loaded_at, held.full_text, search=True))


def _same_row_hash_column(cursor: psycopg.Cursor[Any], resource_id: str, live: int, kept: int) -> None:
    """Where one of the two tables was loaded before the row hash, it gets the column too (NULL: its version
    says the hash was not written, so no reload is made in place of it), so that either can stand in for the other."""
    cursor.execute(
        "SELECT attrelid FROM pg_attribute WHERE attrelid IN (%s, %s) AND attname = %s AND NOT attisdropped",
        (live, kept, ROW_HASH_COLUMN),
    )
    having = {row[0] for row in cursor.fetchall()}
    if len(having) != 1:
        return
    schema = PREVIOUS if live in having else LIVE
    cursor.execute(
        sql.SQL("ALTER TABLE {} ADD COLUMN {} bigint").format(
            _qualified(schema, resource_id), sql.Identifier(ROW_HASH_COLUMN)
        )
    )


def _reshape(
    cursor: psycopg.Cursor[Any], live: int, staging: sql.Composed, shape: TableShape, types: dict[str, str]
) -> None:
    """The data columns of `shape`, in its order, with comments in CKAN's own form (' ' + JSON with `_info`)."""
    comments = {name: comment for name, comment in _column_comments(cursor, live).items() if name not in HIDDEN_COLUMNS}
    for name in comments:
        cursor.execute(sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(staging, sql.Identifier(name)))
    for field in shape.fields:
        name = field["id"]
        cursor.execute(
            sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(staging, sql.Identifier(name), sql.SQL(types[name]))
        )
        try:
            raw = json.loads(comments.get(name) or "{}")  # other keys (plugins') are kept, as CKAN does
        except ValueError:
            raw = {}
        if "info" in field:
            raw["_info"] = field["info"]
        comment = " " + json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
        cursor.execute(
            sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(staging, sql.Identifier(name), sql.Literal(comment))
        )


def _create_unique_key(cursor: psycopg.Cursor[Any], staging: sql.Composed, resource_id: str, key: list[str]) -> None:
    """The unique index `datastore_create` makes for `primary_key`, under the name it gives it (so it finds it)."""
    columns = ", ".join('"' + name.replace('"', '""') + '"' for name in key)
    name = hashlib.sha1((resource_id + columns).encode()).hexdigest()  # CKAN's naming: the same table, the same name
    cursor.execute(sql.SQL("CREATE UNIQUE INDEX {} ON {} ({})").format(sql.Identifier(name), staging, sql.SQL(columns)))


def _reload_previous_in_place(
    cursor: psycopg.Cursor[Any],
    connection: psycopg.Connection[Any],
    live: int,
    resource_id: str,
    types: dict[str, str],
    columns: list[str],
    loaded: TableVersion,
    phases: _Phases,
) -> int | None:
    """Bring the kept previous table to the new rows by deleting and inserting only the rows that differ.

    Returns the number of rows deleted plus inserted, or None (nothing touched) when the kept table
    cannot stand in for the live one or too many rows differ: then the caller rebuilds.
    """
    kept_name = _relname(PREVIOUS, resource_id)
    kept = _table_oid(cursor, PREVIOUS, kept_name)
    held = _table_version(connection, PREVIOUS, kept_name)
    if (
        kept is None
        or held is None
        or not held.search  # loaded before issue 14: rebuilt once, with the search columns
        or not held.row_hash  # loaded before the row hash: rebuilt once, with it
        or _shape(cursor, kept) != _shape(cursor, live)
    ):
        return None
    table = _qualified(PREVIOUS, resource_id)
    # The incoming rows' hashes against the kept ones' (written with them, the same way): a cell's text
    # is compared, so numeric 12.5 → 12.50 is a change, as citizens are served the digits of the file.
    # One pass over both: the kept rows to delete (stale) and the incoming ones to insert (fresh).
    cursor.execute(
        sql.SQL(
            "CREATE TEMPORARY TABLE odl_diff ON COMMIT DROP AS SELECT k._id AS stale, n._id AS fresh "
            "FROM (SELECT _id, {} AS row_hash FROM {}) k "
            "FULL JOIN (SELECT n._id, {} AS row_hash FROM odl_incoming n) n ON n._id = k._id "
            "WHERE k._id IS NULL OR n._id IS NULL OR k.row_hash IS DISTINCT FROM n.row_hash"
        ).format(sql.Identifier(ROW_HASH_COLUMN), table, _row_hash("n", _hashed(types, columns)))
    )
    cursor.execute("SELECT count(stale), count(fresh) FROM odl_diff")
    stale, fresh = cursor.fetchone() or (0, 0)
    if stale + fresh > MAX_CHANGED_SHARE_IN_PLACE * max(loaded.rows, 1):
        cursor.execute("DROP TABLE odl_diff")
        return None
    phases.lap("compare")
    cursor.execute(sql.SQL("DELETE FROM {} WHERE _id IN (SELECT stale FROM odl_diff)").format(table))
    phases.lap("delete")
    fresh_rows = sql.SQL("WHERE s._id IN (SELECT fresh FROM odl_diff)")
    _compute_search(cursor, sql.SQL("odl_incoming"), _incoming_types(types, columns), fresh_rows)
    phases.lap("search")
    with _full_text_trigger_off(cursor, kept, table):
        inserted = _insert_incoming(cursor, table, columns, _hashed(types, columns), sql.SQL(""))
    phases.lap("insert")
    cursor.execute("DROP TABLE odl_diff")
    _copy_column_comments(cursor, live, table)  # the data dictionary may have changed on the live table
    _copy_grants(cursor, live, table)
    # A few changed rows leave the planner's statistics as they were; more are worth a fresh ANALYZE.
    _finish(cursor, table, loaded, analyze=stale + inserted > STALE_STATISTICS_SHARE * max(loaded.rows, 1))
    return int(stale) + inserted


def _shape(cursor: psycopg.Cursor[Any], oid: int) -> tuple[list[Any], ...]:
    """What one table must share with another to stand in for it: columns, constraints, indexes, triggers."""
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
        "WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (oid,),
    )
    columns = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s ORDER BY 1", (oid,)
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s "
        "UNION ALL SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s AND NOT tgisinternal",
        (oid, oid),
    )
    # The definitions name the table itself, which differs between the two.
    definitions = sorted(re.sub(r" ON \S+ ", " ON <table> ", row[0], count=1) for row in cursor.fetchall())
    return columns, constraints, definitions


def _column_comments(cursor: psycopg.Cursor[Any], table: int) -> dict[str, str | None]:
    """Every column's comment (CKAN keeps the data dictionary there), `_id` and `_full_text` included."""
    cursor.execute(
        "SELECT attname, col_description(attrelid, attnum) FROM pg_attribute "
        "WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped",
        (table,),
    )
    return dict(cursor.fetchall())


def _copy_column_comments(cursor: psycopg.Cursor[Any], live: int, table: sql.Composed) -> None:
    for name, comment in _column_comments(cursor, live).items():
        cursor.execute(
            sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(table, sql.Identifier(name), sql.Literal(comment))
        )


def _copy_grants(cursor: psycopg.Cursor[Any], live: int, table: sql.Composed) -> None:
    cursor.execute(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, a.privilege_type "
        "FROM pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = %s AND a.grantee <> c.relowner",
        (live,),
    )
    for grantee, privilege in cursor.fetchall():
        cursor.execute(sql.SQL("GRANT {} ON {} TO {}").format(sql.SQL(privilege), table, sql.SQL(grantee)))


def _create_staging(cursor: psycopg.Cursor[Any], resource_id: str) -> None:
    live, staging = _qualified(LIVE, resource_id), _qualified(STAGING, resource_id)
    sequence = sql.SQL("{}.{}").format(sql.Identifier(STAGING), sql.Identifier(f"{resource_id}__id_seq"))
    cursor.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING COMMENTS INCLUDING STORAGE)").format(staging, live))
    _add_hidden_columns(cursor, staging)  # the first load since they came adds them
    cursor.execute(sql.SQL("CREATE SEQUENCE {} OWNED BY {}._id").format(sequence, staging))
    cursor.execute(
        sql.SQL("ALTER TABLE {} ALTER COLUMN _id SET DEFAULT nextval({}::regclass)").format(
            staging, sql.Literal(sequence.as_string(cursor))
        )
    )


def _add_constraints_indexes_triggers_grants(
    cursor: psycopg.Cursor[Any], live: int, resource_id: str, *, unchanged_columns: list[str] | None = None
) -> None:
    """The live table's constraints, indexes, triggers and grants on the staging table.

    unchanged_columns (a reshape): indexes on other columns are left out, and so are unique keys.
    The index on `_odl_grams` is left to _ensure_grams_index (the same definition on every table).
    """
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
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %(live)s "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) "
        "AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "  AND a.attname = %(grams)s) "
        "AND (%(unchanged)s::text[] IS NULL OR NOT i.indisunique AND NOT EXISTS ("
        "  SELECT 1 FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
        "  WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid AND d.refobjid = i.indrelid"
        "  AND NOT a.attname = ANY(%(unchanged)s::text[])))",
        {"live": live, "unchanged": unchanged_columns, "grams": search.GRAMS_COLUMN},
    )
    for (definition,) in cursor.fetchall():
        cursor.execute(_retarget(definition, live_name, staging_name))
    cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s AND NOT tgisinternal", (live,))
    for (definition,) in cursor.fetchall():
        cursor.execute(_retarget(definition, live_name, staging_name))
    _copy_grants(cursor, live, staging)
    cursor.execute("RESET search_path")


def _retarget(definition: str, live_name: str, staging_name: str) -> sql.SQL:
    marker = f" ON {live_name} "
    if marker not in definition:
        raise DatastoreError(f"cannot copy {definition!r}: it does not name {live_name}")
    return sql.SQL(definition.replace(marker, f" ON {staging_name} ", 1))


def _swap(cursor: psycopg.Cursor[Any], resource_id: str, *, new: str) -> None:
    """Serve the table in `new` (STAGING or PREVIOUS); the live one becomes the kept previous version."""
    cursor.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(SWAP_LOCK_TIMEOUT)))
    if new == STAGING:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_qualified(PREVIOUS, resource_id)))
        _move(cursor, resource_id, LIVE, PREVIOUS)
        _move(cursor, resource_id, STAGING, LIVE)
        return
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_qualified(STAGING, resource_id)))
    # Through the staging schema: index and sequence names repeat between the two versions.
    _move(cursor, resource_id, PREVIOUS, STAGING)
    _move(cursor, resource_id, LIVE, PREVIOUS)
    _move(cursor, resource_id, STAGING, LIVE)
