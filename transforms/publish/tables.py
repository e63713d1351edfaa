"""A curated version as the typed table citizens get: DataStore column types, CSV and Parquet exports.

One typed Arrow table is made per version and everything is derived from it, so the DataStore,
the CSV download and the Parquet download hold the same values. Empty cells are nulls
(an empty string would not load into a number or date column).
"""

import io
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from transforms.column_types import TYPES, column_type
from transforms.contracts import Column, PublishedContract

# Contract type → PostgreSQL type of the DataStore column, as the registry says.
DATASTORE_TYPES = {name: type_.published.datastore for name, type_ in TYPES.items()}
COPY_BATCH_ROWS = 100_000


class CuratedDataError(ValueError):
    """The curated file does not fit its contract (a missing column, a value of the wrong type)."""


def datastore_type(column: Column) -> str:
    return column_type(column).published.datastore


def _blank_to_null(values: pa.ChunkedArray) -> pa.ChunkedArray:
    # Connect has trimmed every value already; only the empty ones are left to turn into nulls.
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _typed_column(values: pa.ChunkedArray, column: Column) -> pa.ChunkedArray:
    published = column_type(column).published
    target, arrow = published.datastore, pa.type_for_alias(published.arrow)
    if pa.types.is_null(values.type):
        return pa.chunked_array([pa.nulls(len(values), arrow)])
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        values = _blank_to_null(pc.cast(values, pa.string()))
        if target == "numeric":
            # Canonical text keeps every digit the department gave; only check it is a number.
            pc.cast(values, pa.float64())
            return values
    elif target in ("text", "numeric"):
        if pa.types.is_floating(values.type) and target == "text":
            raise CuratedDataError(f"column {column.name}: text expected, got {values.type}")
        return pc.cast(values, pa.string())
    elif target == "date" and pa.types.is_timestamp(values.type):
        return pc.cast(values, pa.date32())
    return pc.cast(values, arrow)


def typed_table(table: pa.Table, contract: PublishedContract) -> pa.Table:
    """The contract's columns, in its order, with DataStore types (numeric as exact text)."""
    missing = [name for name in contract.column_names if name not in table.column_names]
    if missing:
        raise CuratedDataError(f"{contract.id}: curated data lacks the columns {missing}")
    columns = []
    for column in contract.columns:
        try:
            columns.append(_typed_column(table.column(column.name), column))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise CuratedDataError(f"{contract.id}: column {column.name}: {error}") from error
    return pa.table(columns, names=contract.column_names)


def read_curated(path: Path, contract: PublishedContract) -> pa.Table:
    return typed_table(pq.read_table(path), contract)


def parquet_table(typed: pa.Table, contract: PublishedContract) -> pa.Table:
    """For the Parquet download: numeric columns as float64, so readers get numbers, not text."""
    columns = []
    for i, column in enumerate(contract.columns):
        published = column_type(column).published
        if published.parquet == published.arrow:
            columns.append(typed.column(i))
        else:
            columns.append(pc.cast(typed.column(i), pa.type_for_alias(published.parquet)))
    return pa.table(columns, names=contract.column_names)


def write_csv(typed: pa.Table, path: Path) -> Path:
    """UTF-8 with BOM and CRLF: Excel on a Japanese Windows opens it without garbling."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write("\ufeff".encode())
        pacsv.write_csv(typed, handle, pacsv.WriteOptions(eol="\r\n"))
    return path


def write_parquet(typed: pa.Table, contract: PublishedContract, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(parquet_table(typed, contract), path, compression="zstd")
    return path


def copy_chunks(typed: pa.Table, batch_rows: int = COPY_BATCH_ROWS) -> Iterator[bytes]:
    """CSV without header for `COPY … (FORMAT csv)`: nulls unquoted-empty, strings quoted."""
    options = pacsv.WriteOptions(include_header=False)
    for batch in typed.to_batches(max_chunksize=batch_rows):
        buffer = io.BytesIO()
        pacsv.write_csv(batch, buffer, options)
        yield buffer.getvalue()
