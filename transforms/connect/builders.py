"""Connect transforms: the shared ones a contract names (`transform: enrich_municipality`), and the
lookup of a dataset folder's own (`transform: transform.py`, whose `build` has the same signature).

Each takes the contract (for its params and columns), the latest accepted raw table of every
input (keyed by input dataset) and the municipalities, and returns the table with the contract's
columns plus how its joins went. Typing and column order are applied afterwards (tables.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from transforms.connect.joins import JoinQuality, join_codes, join_names
from transforms.contracts import ContractError, PublishedContract, load_code
from transforms.reference import Municipalities
from transforms.store import SOURCE_ROW_COLUMN


@dataclass(frozen=True)
class Built:
    table: pd.DataFrame  # at least the contract's columns
    joins: tuple[JoinQuality, ...]
    source_rows: pd.Series | None = None  # the department's row of each output row, where rows map one to one


Transform = Callable[[PublishedContract, dict[str, pd.DataFrame], Municipalities], Built]


def single_input(contract: PublishedContract, inputs: dict[str, pd.DataFrame]) -> tuple[str, pd.DataFrame]:
    (name,) = contract.inputs
    return name, inputs[name]


def with_municipality(table: pd.DataFrame, codes: pd.Series, municipalities: Municipalities) -> pd.DataFrame:
    return table.assign(
        全国地方公共団体コード=codes.to_numpy(),
        市町名=municipalities.attribute(codes, "name").to_numpy(),
        地域=municipalities.attribute(codes, "region").to_numpy(),
    )


def enrich_municipality(
    contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities
) -> Built:
    """The department's rows, plus 市町名 and 地域 of the code in params.code_column (taken again if present).

    With params.prefecture_allowed, rows 三重県 itself registered (240001) join with 市町名 and 地域 empty.
    With params.sort_by_key, rows come out in the order of the contract's key instead of as submitted.
    """
    name, raw = single_input(contract, inputs)
    column = contract.params["code_column"]
    codes = raw[column].astype(object)
    prefecture_allowed = bool(contract.params.get("prefecture_allowed", False))
    quality = join_codes(codes, municipalities, name, column, raw[SOURCE_ROW_COLUMN], prefecture_allowed)
    table = raw.assign(
        市町名=municipalities.attribute(codes, "name").to_numpy(),
        地域=municipalities.attribute(codes, "region").to_numpy(),
    )
    if contract.params.get("sort_by_key"):
        table = table.sort_values(list(contract.key), kind="stable").reset_index(drop=True)
    return Built(table, (quality,), table[SOURCE_ROW_COLUMN])


def resolve_municipality_names(
    contract: PublishedContract, inputs: dict[str, pd.DataFrame], municipalities: Municipalities
) -> Built:
    """Records whose params.name_column (a 市町名) is resolved to its code, canonical name and 地域."""
    name, raw = single_input(contract, inputs)
    column = contract.params["name_column"]
    codes, quality = join_names(raw[column], municipalities, name, column, raw[SOURCE_ROW_COLUMN])
    return Built(with_municipality(raw, codes, municipalities), (quality,), raw[SOURCE_ROW_COLUMN])


SHARED: dict[str, Transform] = {
    "enrich_municipality": enrich_municipality,
    "resolve_municipality_names": resolve_municipality_names,
}


def transform_of(contract: PublishedContract) -> Transform:
    """The contract's `transform:`: its folder's transform.py (`build`), or a shared transform by name."""
    if contract.transform.endswith(".py"):
        build: Transform = load_code(contract.path.parent, contract.transform).build
        return build
    if contract.transform not in SHARED:
        raise ContractError(
            contract.path,
            f"transform {contract.transform!r} is neither a file of the folder nor one of {sorted(SHARED)}",
            f"transform「{contract.transform}」はフォルダのファイルでも共通の変換（{', '.join(sorted(SHARED))}）でもありません",
            "transform",
        )
    return SHARED[contract.transform]
