"""Mie's municipalities (catalog/mie-municipalities.csv): resolve names to codes, enrich with 地域."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from transforms import settings

PREFECTURE = "三重県"
PREFECTURE_CODE = "240001"  # 三重県 itself: a valid publisher of data, but no 市町 and no 地域
_SPACES = re.compile(r"\s+")


def _name_key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Municipalities:
    """The prefecture's municipalities, one row each (the prefecture's own row excluded)."""

    table: pd.DataFrame  # columns: code, name, district, region, kind

    @property
    def codes(self) -> frozenset[str]:
        """The municipalities' codes."""
        return frozenset(self.table["code"])

    @property
    def mie_codes(self) -> frozenset[str]:
        """Mie's 30 codes: the municipalities' and the prefecture's own."""
        return self.codes | {PREFECTURE_CODE}

    def name_lookup(self) -> dict[str, str | None]:
        """Every accepted spelling → code; None marks a spelling that fits more than one municipality."""
        lookup: dict[str, str | None] = {}
        for row in self.table.itertuples():
            spellings = {row.name, f"{row.district}{row.name}"}
            spellings |= {PREFECTURE + spelling for spelling in spellings}
            for spelling in spellings:
                key = _name_key(spelling)
                lookup[key] = None if lookup.get(key, row.code) != row.code else row.code
        return lookup

    def resolve_names(self, names: pd.Series) -> tuple[pd.Series, pd.Series]:
        """(codes, error codes) for 市町名 values; "" names resolve to "" without error."""
        lookup = self.name_lookup()
        # Few distinct names in many rows: normalise each distinct spelling once.
        keys = names.map({name: _name_key(name) for name in names.unique()})
        codes = keys.map(lookup)
        errors = pd.Series(None, index=names.index, dtype=object)
        known = keys.isin(list(lookup))
        errors[(names != "") & ~known] = "unknown_municipality"
        errors[known & codes.isna()] = "ambiguous_municipality"
        return codes.where(known & codes.notna(), "").astype(object), errors

    def attribute(self, codes: pd.Series, column: str) -> pd.Series:
        """name / district / region for each code ("" where unknown)."""
        mapping = dict(zip(self.table["code"], self.table[column], strict=True))
        return codes.map(mapping).fillna("").astype(object)


@cache
def _load(path: Path) -> Municipalities:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    raw.columns = ["code", "name", "district", "region", "kind"]
    return Municipalities(raw[raw["kind"] != "都道府県"].reset_index(drop=True))


def load_municipalities(catalog_dir: Path | None = None) -> Municipalities:
    return _load((catalog_dir or settings.catalog_dir()) / "mie-municipalities.csv")
