"""Keeping a `q` search's work bounded on large tables: ranking within a window, estimated totals.

A word citizens type often matches most of a table (一文字, a year, 陰性). Counting every match for
`total` and ranking every match before returning the first page reads the whole table each time
(about 2 s for a million rows here). So, on odl's tables:

- **ranked** means ranked within consecutive windows of the matches in table order (`_id`): a
  window ends after `RANK_WINDOW` matches or at the end of a stretch of `WINDOW_ROWS` `_id`s,
  whichever comes first (a match's window is the larger of its match number // RANK_WINDOW and
  (`_id` - 1) // WINDOW_ROWS). The first page holds the best rows of the first window, then the
  next window's best, and so on. A table of up to `WINDOW_ROWS` rows with at most `RANK_WINDOW`
  matches is ranked as a whole. Pages stay stable, and a page reads only the windows up to it:
  at most about RANK_WINDOW matches or WINDOW_ROWS rows for a first page, however common the word.
- **total** is exact below a threshold (CKAN's `total_estimation_threshold`, here
  `TOTAL_ESTIMATION_THRESHOLD` unless the caller gives one): counting stops at that many matches.
  Past it, `total` is estimated from a block sample of the table (the same filters and words, the
  same sample every time) and `total_was_estimated` is true, as CKAN does for unfiltered searches.
  On tables no larger than the sample the estimate is the exact count.

The sample also tells how to find the first windows (`scan_in_table_order`): a word in many rows
is found by reading the table in `_id` order up to the end of the page's window (LIKE only, the
plan pinned to that order), a rarer one through the GIN index on the grams (all its matches).

Everything here takes the where clauses in CKAN's IDatastore form (clause, params) and adds no user
text to the statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

RANK_WINDOW = 1000  # matches
WINDOW_ROWS = 20000  # `_id`s: a word in 1 row of 200 still fills a first page from one stretch
TOTAL_ESTIMATION_THRESHOLD = 1000
# A block sample of about this many rows estimates a large total (±10 % for a word in 1 % of them).
SAMPLE_ROWS = 20000
# A candidate the index hands over costs about this many rows read in order (its own heap page each,
# where in order about ten rows share one): 3.8 against 0.85 µs a row for 4.19 on the 1M-row table.
INDEX_ROW_COST = 3
MAX_IDS = 10000  # matches fetched by `_id` to count them (a 60 kB parameter at most)
SAMPLE_SEED = 14  # the same sample every time: every page of one search shows the same total


def conditions(where: list[tuple[Any, ...]]) -> str:
    """The clauses ANDed, as CKAN writes them ("TRUE" when there are none)."""
    return " AND ".join(f"({clause[0]})" for clause in where) or "TRUE"


def parameters(where: list[tuple[Any, ...]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for clause in where:
        for values in clause[1:]:
            params.update(values)
    return params


def window_sort(rank_clauses: list[str], matches: int = RANK_WINDOW) -> list[str]:
    """ORDER BY terms: each match's window (a window function over the matches in `_id` order), then
    rank, then `_id` (so pages are stable)."""
    window = f"greatest((row_number() OVER (ORDER BY _id) - 1) / {int(matches)}, (_id - 1) / {WINDOW_ROWS})"
    return [window, *rank_clauses, '"_id"']


def last_id_to_read(
    connection: Any,
    table: str,
    where: list[tuple[Any, ...]],
    rows_needed: int,
    estimated: Sample,
    matches: int = RANK_WINDOW,
) -> int | None:
    """The highest `_id` the windows up to a page need (offset + limit = rows_needed matches): the
    end of the window that holds the rows_needed-th match. None when there are fewer matches: all.
    Both steps read the table in `_id` order and stop early (see pin_table_order); the second,
    which finds where the window's matches run out, only when the sample expects that before the
    end of the stretch (else the page reads the stretch once, not twice)."""
    needed = max(rows_needed, 1)
    params = {**parameters(where), "odl_skip": needed - 1}
    nth = f"SELECT _id FROM {table} WHERE {conditions(where)}"
    last = connection.execute(sa.text(f"{nth} ORDER BY _id OFFSET :odl_skip LIMIT 1"), params).scalar()
    if last is None:
        return None
    window = max((needed - 1) // matches, (int(last) - 1) // WINDOW_ROWS)
    stretch_end = (window + 1) * WINDOW_ROWS
    if estimated.matches is not None and matches * estimated.rows >= WINDOW_ROWS * max(estimated.matches, 1):
        return stretch_end
    params["odl_skip"] = (window + 1) * matches - 1  # the window's last match, if before the stretch ends
    window_end = connection.execute(
        sa.text(f"{nth} AND _id <= {stretch_end} ORDER BY _id OFFSET :odl_skip LIMIT 1"), params
    ).scalar()
    return int(window_end) if window_end is not None else stretch_end


def one_process(connection: Any) -> None:
    """For the rest of this transaction, no parallel workers: a bounded search reads a few thousand
    rows, less than starting workers costs (70 ms on this 2-core machine under load)."""
    connection.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))


def pin_table_order(connection: Any) -> None:
    """For the rest of this transaction, read tables in `_id` order: the planner, which expects a
    few matches (it multiplies the shares of bigrams, and guesses LIKE), would otherwise read and
    sort the whole table to find the first ones."""
    connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
    connection.execute(sa.text("SET LOCAL enable_bitmapscan = off"))


def unpin_table_order(connection: Any) -> None:
    for setting in ("enable_seqscan", "enable_bitmapscan"):
        connection.execute(sa.text(f"RESET {setting}"))


def table_rows(connection: Any, table: str) -> int:
    """Rows in the table: the planner's count (odl's loader analyzes every table it loads), else `max(_id)`."""
    estimate = connection.execute(
        sa.text("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(:table)"), {"table": table}
    ).scalar()
    if estimate and estimate > 0:
        return int(estimate)
    return int(connection.execute(sa.text(f"SELECT coalesce(max(_id), 0) FROM {table}")).scalar() or 0)


@dataclass(frozen=True)
class Sample:
    """What a block sample of the table says about one search (None: a table too small to sample)."""

    rows: int  # in the table
    matches: int | None  # rows matching every clause, estimated
    candidates: int | None  # rows the grams' index would hand over (to be checked by LIKE), estimated


def sample(
    connection: Any,
    table: str,
    where: list[tuple[Any, ...]],
    index_where: list[tuple[Any, ...]],
    rows: int,
    sample_rows: int = SAMPLE_ROWS,
) -> Sample:
    """Estimates from block samples: matches from about sample_rows rows (a few ms for 20,000 by
    LIKE), candidates from a tenth of them (`@>` on a row's hundred-odd grams costs more, and only
    decides the plan).

    where: the search's clauses (filters and words); index_where: the grams' clauses alone."""
    if rows <= sample_rows:
        return Sample(rows, None, None)

    def share(clauses: list[tuple[Any, ...]], percent: float) -> float | None:
        statement = sa.text(
            f"SELECT count(*) FILTER (WHERE {conditions(clauses)}), count(*)"
            f" FROM {table} TABLESAMPLE SYSTEM (:odl_percent) REPEATABLE ({SAMPLE_SEED})"
        )
        found, sampled = connection.execute(statement, {**parameters(clauses), "odl_percent": percent}).one()
        return found / sampled if sampled else None

    percent = 100.0 * sample_rows / rows
    matched, candidates = share(where, percent), share(index_where, percent / 10)
    if matched is None or candidates is None:
        return Sample(rows, None, None)
    return Sample(rows, round(matched * rows), round(candidates * rows))


def scan_in_table_order(estimated: Sample, rows_needed: int, matches: int = RANK_WINDOW) -> bool:
    """Whether a page's windows are found faster by reading the table in `_id` order than through
    the grams' index (every candidate row, checked, then sorted). In order, a page reads up to its
    rows_needed-th match, and on to the end of that window (at most the stretch), twice
    (last_id_to_read, then the page itself). The planner cannot tell: it multiplies the shares of a
    word's bigrams, and expects a few thousand rows for 伊勢志摩 (242,000 here); and digits' bigrams
    are in most rows, so the index hands over 166,000 rows for 4-16 (6,103 match)."""
    if estimated.matches is None or estimated.candidates is None:
        return False
    share = max(estimated.matches, 1) / estimated.rows
    in_order = 2 * max(max(rows_needed, 1) / share, min(WINDOW_ROWS, matches / share))
    return in_order < INDEX_ROW_COST * estimated.candidates


@dataclass(frozen=True)
class Total:
    count: int
    estimated: bool
    ids: list[int] | None = None  # every match's `_id`, when they were fetched to count them


def total(connection: Any, table: str, where: list[tuple[Any, ...]], threshold: int, estimated: Sample) -> Total:
    """Rows matching where: exact below `threshold`, else estimated. A sample that finds the
    threshold passed is taken as it is (counting would read every match); otherwise the matches are
    counted up to the threshold, through the grams' index (`where` with them). Up to MAX_IDS their
    `_id`s are fetched rather than counted, so that the page reads those rows alone (ids_clause)
    instead of going through the index again."""
    estimate = estimated.matches
    if estimate is not None and estimate >= threshold:
        return Total(estimate, True)
    params = {**parameters(where), "odl_threshold": threshold}
    matches = f"SELECT _id FROM {table} WHERE {conditions(where)} LIMIT :odl_threshold"
    if 0 < threshold <= MAX_IDS:
        ids = [int(row[0]) for row in connection.execute(sa.text(matches), params)]
        if len(ids) < threshold:
            return Total(len(ids), False, ids)
    elif threshold > 0:
        counted = int(connection.execute(sa.text(f"SELECT count(*) FROM ({matches}) AS m"), params).scalar() or 0)
        if counted < threshold:
            return Total(counted, False)
    if estimate is None:  # a small table: the exact count is the estimate
        exact = sa.text(f"SELECT count(*) FROM {table} WHERE {conditions(where)}")
        return Total(int(connection.execute(exact, parameters(where)).scalar() or 0), True)
    return Total(max(estimate, threshold), True)


def ids_clause(ids: list[int], params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A where clause for exactly these rows (one text parameter, which CKAN can also bind literally),
    carrying params (the ranks' parameters the statement uses)."""
    return "_id = ANY(CAST(:odl_ids AS integer[]))", {**params, "odl_ids": "{" + ",".join(map(str, ids)) + "}"}
