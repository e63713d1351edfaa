"""Japanese `q` search: the index options of issue 14 side by side on the benchmark's 1M-row table.

`python -m bench.search_options [resource_id]` takes the DataStore table the publish step loaded
(odl's loader: `_odl_search`, `_odl_grams` and its GIN index) and copies its columns into scratch
tables in the schema `odl_bench_search`, one per option, timing what each adds to a load:

- (a) `_odl_grams text[]` + GIN (array_ops): the loader's own table and phases;
- (b) pg_trgm GIN (gin_trgm_ops) on `_odl_search` alone;
- (c) no index: `_odl_search LIKE '%w%'` by sequential scan;
- (d) the stock `_full_text` tsvector (to_tsvector of the cells, as CKAN's trigger makes it) + GiST.

Then, for 1-, 2- and 4-character words drawn from the table's own text (as citizens would type
them), the CKAN-style pair of queries: `count(*)` for `total`, and the first 100 rows best first
(whole-cell match, then the earliest column). p50 / p95 over the words, after a few untimed. (d) answers with
`plainto_tsquery`, which finds Japanese only as whole cells: its times are shown for the cost, not as
a working search. Prints the results as JSON (also in bench/work/search_options.json); `make bench`
puts them in results.json and bench/report.py renders them into results.md.
"""

import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from transforms.publish import search
from transforms.publish.config import from_environment

SCHEMA = "odl_bench_search"
WORDS_PER_LENGTH = 20
WARM_UP_WORDS = 3  # per length, run once untimed first (caches, plans)
LENGTHS = (1, 2, 4)
OUT = Path(__file__).resolve().parent / "work" / "search_options.json"  # git-ignored; results.json keeps it
MAINTENANCE_WORK_MEM = "256MB"  # what the loader sets; 1GB built the GIN indexes no faster here


def _timed(cursor: psycopg.Cursor[Any], statement: str, params: Any = None) -> float:
    started = time.perf_counter()
    cursor.execute(statement, params)
    return time.perf_counter() - started


def _size(cursor: psycopg.Cursor[Any], relation: str) -> int:
    cursor.execute("SELECT pg_relation_size(%s::regclass)", (relation,))
    return int((cursor.fetchone() or (0,))[0])


def _table_size(cursor: psycopg.Cursor[Any], relation: str) -> int:
    cursor.execute("SELECT pg_table_size(%s::regclass)", (relation,))
    return int((cursor.fetchone() or (0,))[0])


def words(cursor: psycopg.Cursor[Any], table: str, seed: int = 14) -> dict[int, list[str]]:
    """Substrings of cells of random rows, WORDS_PER_LENGTH per length (a row's share of text decides)."""
    rng = random.Random(seed)
    cursor.execute(f"SELECT _odl_search FROM {table} TABLESAMPLE BERNOULLI (1) REPEATABLE (14) LIMIT 2000")
    texts = [row[0] for row in cursor.fetchall()]
    found: dict[int, list[str]] = {}
    for length in LENGTHS:
        chosen: list[str] = []
        while len(chosen) < WORDS_PER_LENGTH:
            cells = [c for c in rng.choice(texts).split(search.SEPARATOR) if len(c) >= length]
            if cells:
                cell = rng.choice(cells)
                start = rng.randrange(len(cell) - length + 1)
                chosen.append(cell[start : start + length])
        found[length] = chosen
    return found


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _grams_match(word: str) -> tuple[str, list[Any]]:
    """The CKAN side's match on `_odl_grams` (ckanext-odl): one gram, or the pairs plus an exact LIKE."""
    if len(word) <= 2:
        return "_odl_grams @> %s::text[]", [[word]]
    pairs = sorted({word[i : i + 2] for i in range(len(word) - 1)})
    return "_odl_grams @> %s::text[] AND _odl_search LIKE %s", [pairs, _like(word)]


def _queries(option: str, word: str) -> tuple[str, list[Any], str, list[Any]]:
    """(where, params, order by, params) of one option for one word."""
    rank = "(_odl_search LIKE %s) DESC, strpos(_odl_search, %s), _id"
    whole = "%" + search.SEPARATOR + _like(word)[1:-1] + search.SEPARATOR + "%"
    if option == "a":
        where, params = _grams_match(word)
        return where, params, rank, [whole, word]
    if option in ("b", "c"):
        return "_odl_search LIKE %s", [_like(word)], rank, [whole, word]
    return "_full_text @@ plainto_tsquery(%s)", [word], "ts_rank(_full_text, plainto_tsquery(%s)) DESC, _id", [word]


def measure_queries(
    cursor: psycopg.Cursor[Any], table: str, option: str, chosen: dict[int, list[str]]
) -> dict[str, Any]:
    """p50/p95 milliseconds of count(*) + first 100 rows, per word length, and the median rows matched."""
    if option == "c":
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("SET enable_indexscan = off")
    out: dict[str, Any] = {}
    for length, ws in chosen.items():
        times, counts = [], []
        for warm in (True, False):
            for word in ws[:WARM_UP_WORDS] if warm else ws:
                where, params, order, order_params = _queries(option, word)
                started = time.perf_counter()
                cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}", params)
                total = int((cursor.fetchone() or (0,))[0])
                cursor.execute(
                    f"SELECT * FROM {table} WHERE {where} ORDER BY {order} LIMIT 100",
                    params + order_params,
                )
                cursor.fetchall()
                if not warm:
                    times.append((time.perf_counter() - started) * 1000)
                    counts.append(total)
        times.sort()
        out[str(length)] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
            "median_rows": int(statistics.median(counts)),
        }
    cursor.execute("RESET enable_bitmapscan")
    cursor.execute("RESET enable_indexscan")
    return out


def run(resource_id: str, phases: dict[str, float] | None = None) -> dict[str, Any]:
    """Every option on a copy of the loaded table; the loader's own phases stand for option (a)'s load."""
    live = f'"{resource_id}"'  # a resource id is a UUID
    with psycopg.connect(from_environment().datastore_url, autocommit=True) as connection:
        cursor = connection.cursor()
        cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        cursor.execute("SET work_mem = '64MB'")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # trusted: the write role may create it
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        cursor.execute(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
            "%s::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\\_%%'",
            (live,),
        )
        data = (cursor.fetchone() or ("",))[0]
        base = f"{SCHEMA}.base"
        results: dict[str, Any] = {"rows": 0, "options": {}}
        copy_seconds = _timed(cursor, f"CREATE TABLE {base} AS SELECT _id, {data} FROM {live}")
        cursor.execute(f"VACUUM ANALYZE {base}")
        cursor.execute(f"SELECT count(*) FROM {base}")
        results["rows"] = int((cursor.fetchone() or (0,))[0])
        results["data_table_bytes"] = _table_size(cursor, base)
        results["data_copy_seconds"] = round(copy_seconds, 3)
        chosen = words(cursor, live)
        results["words"] = chosen

        # (a) the loaded table itself
        cursor.execute(f"VACUUM ANALYZE {live}")
        cursor.execute(
            "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND a.attname = '_odl_grams'",
            (live,),
        )
        grams_index = (cursor.fetchone() or ("",))[0]
        cursor.execute(
            "SELECT coalesce(sum(pg_column_size(_odl_search)), 0), coalesce(sum(pg_column_size(_odl_grams)), 0) "
            f"FROM {live}"
        )
        search_bytes, grams_bytes = cursor.fetchone() or (0, 0)
        results["options"]["a"] = {
            "name": "unigram + bigram text[] + GIN (array_ops)",
            "load_phases": phases or {},
            "fill_seconds": None if not phases else round(phases.get("search", 0) + phases.get("insert", 0), 3),
            # The loader times all indexes of a new table together when it copies the GIN one from the live table.
            "index_seconds": None if not phases else round(phases.get("indexes", 0) + phases.get("grams_index", 0), 3),
            "index_bytes": _size(cursor, grams_index),
            "column_bytes": int(search_bytes) + int(grams_bytes),
            "table_bytes": _table_size(cursor, live),
            "queries": measure_queries(cursor, live, "a", chosen),
        }

        # (b) and (c): the search text alone, with pg_trgm's GIN index and without any
        table = f"{SCHEMA}.trgm"
        fill = _timed(cursor, f"CREATE TABLE {table} AS SELECT _id, {data}, _odl_search FROM {live}")
        cursor.execute(f"VACUUM ANALYZE {table}")
        no_index = measure_queries(cursor, table, "c", chosen)
        index = _timed(cursor, f"CREATE INDEX odl_bench_trgm ON {table} USING gin (_odl_search gin_trgm_ops)")
        cursor.execute(f"ANALYZE {table}")
        common = {"fill_seconds": round(fill - copy_seconds, 3), "table_bytes": _table_size(cursor, table)}
        results["options"]["b"] = common | {
            "name": "pg_trgm GIN (gin_trgm_ops) on _odl_search",
            "index_seconds": round(index, 3),
            "index_bytes": _size(cursor, f"{SCHEMA}.odl_bench_trgm"),
            "queries": measure_queries(cursor, table, "b", chosen),
        }
        results["options"]["c"] = common | {
            "name": "no index (_odl_search LIKE, sequential scan)",
            "index_seconds": 0.0,
            "index_bytes": 0,
            "queries": no_index,
        }

        # (d) CKAN's stock full text, as a load filled it before issue 14
        table = f"{SCHEMA}.tsvector"
        cells = " || ' ' || ".join(f"coalesce({name}::text, '')" for name in data.split(", "))
        fill = _timed(
            cursor, f"CREATE TABLE {table} AS SELECT _id, {data}, to_tsvector({cells}) AS _full_text FROM {live}"
        )
        index = _timed(cursor, f"CREATE INDEX odl_bench_fts ON {table} USING gist (_full_text)")
        cursor.execute(f"VACUUM ANALYZE {table}")
        results["options"]["d"] = {
            "name": "stock _full_text tsvector + GiST (whole cells only)",
            "fill_seconds": round(fill - copy_seconds, 3),
            "index_seconds": round(index, 3),
            "index_bytes": _size(cursor, f"{SCHEMA}.odl_bench_fts"),
            "table_bytes": _table_size(cursor, table),
            "queries": measure_queries(cursor, table, "d", chosen),
        }
        cursor.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    return results


def main(argv: list[str]) -> int:
    """argv: the bench resource id and, optionally, a JSON file with the loader's phases for it."""
    phases = json.loads(Path(argv[1]).read_text(encoding="utf-8")) if len(argv) > 1 else None
    results = run(argv[0], phases)
    OUT.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
