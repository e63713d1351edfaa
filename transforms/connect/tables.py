"""Tables in and out of connect: the latest accepted raw input, the curated dtypes, the content version."""

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from transforms.column_types import CURATED_TEXT, column_type
from transforms.contracts import PublishedContract
from transforms.data_layout import DataLayout

VERSION_LENGTH = 16  # hex digits of the content hash that name a curated version


@dataclass(frozen=True)
class RawInput:
    dataset: str
    sha256: str  # the accepted submission the table came from
    path: Path
    table: pd.DataFrame  # _source_row + the source contract's columns, normalised strings


class InputMissing(LookupError):
    """An input dataset has no accepted submission yet."""

    def __init__(self, dataset: str):
        super().__init__(dataset)
        self.dataset = dataset


def latest_raw(dataset: str, data_root: Path) -> RawInput:
    """The latest accepted submission of a source dataset (raw/<dataset>/latest.json)."""
    pointer = DataLayout(data_root).raw_latest(dataset)
    if not pointer.exists():
        raise InputMissing(dataset)
    latest = json.loads(pointer.read_text(encoding="utf-8"))
    path = Path(latest["raw_path"])
    if not path.is_absolute():
        path = data_root / path
    return RawInput(dataset, latest["sha256"], path, pd.read_parquet(path))


def curated_dtypes(frame: pd.DataFrame, contract: PublishedContract) -> pd.DataFrame:
    """The contract's columns in its order, typed for publication; "" becomes null."""
    columns: dict[str, Any] = {}
    for column in contract.columns:
        values, curated = frame[column.name], column_type(column).curated
        if curated == CURATED_TEXT:
            # pyarrow-backed strings: vectorised regex, isin and null checks in validation, a string column in Parquet.
            text = values.astype(curated.dtype)
            columns[column.name] = text.mask(text == "")
        else:
            columns[column.name] = _numbers(values).astype(curated.dtype)
    return pd.DataFrame(columns).reset_index(drop=True)


def _numbers(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values
    return pd.to_numeric(values.astype(object).where(values != "", None), errors="raise")


def write_parquet(table: pd.DataFrame, contract: PublishedContract, path: Path) -> None:
    """The table under an explicit schema (an all-empty text column stays a string column), atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c.name, pa.type_for_alias(column_type(c).curated.arrow)) for c in contract.columns])
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(pa.Table.from_pandas(table, schema=schema, preserve_index=False), temporary)
    os.replace(temporary, path)


def content_version(table: pd.DataFrame) -> str:
    """The first hex digits of a hash of the column names, dtypes and every value: same content, same version."""
    digest = hashlib.sha256()
    digest.update(json.dumps([[name, str(dtype)] for name, dtype in table.dtypes.items()]).encode("utf-8"))
    for name in table.columns:
        # Row hashes are vectorised and stable across runs (pandas' fixed hash key).
        digest.update(pd.util.hash_pandas_object(table[name], index=False).to_numpy().tobytes())
    return digest.hexdigest()[:VERSION_LENGTH]
