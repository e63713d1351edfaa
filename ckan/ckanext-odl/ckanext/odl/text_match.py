"""Japanese substring search over odl's DataStore tables: the query side of the loader's two hidden columns.

Every table odl loads carries, besides CKAN's columns:

- `_odl_search text`: U+001F, then the row's cells joined by U+001F, then U+001F; each cell as
  `normalise` gives it (NFKC, then lower case);
- `_odl_grams text[]`: the distinct unigrams and bigrams of those cells (never spanning two cells),
  under a GIN index.

A query word of one or two characters is matched by the grams alone (`@>`); a longer one by its
bigrams (which the index finds) and then exactly, by LIKE on `_odl_search` (the bigrams alone would
also find 鳥羽 … 羽市 for 鳥羽市). A row matches when every word does. So `q` finds any substring of
any cell after normalisation — ｶﾅ/カナ, ＡＢＣ/abc and full-width digits are the same — which
PostgreSQL's word parser, splitting only on spaces and punctuation, cannot do for Japanese.

Everything here builds SQL with named parameters (prefixed so they never collide with CKAN's
`value_<n>`): no user text is ever formatted into the statement.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ckanext.datastore.backend.postgres import identifier

GRAMS_COLUMN = "_odl_grams"
SEARCH_COLUMN = "_odl_search"
CELL_SEPARATOR = "\x1f"
# Python's whitespace (ASCII and ideographic spaces, which NFKC makes ASCII anyway) and NUL, which
# PostgreSQL refuses in text: both only ever separate words.
_WORD_SEPARATORS = re.compile(r"[\s\x00]+")


def normalise(text: str) -> str:
    """A cell or a query as the loader stores it: NFKC (ｶﾅ → カナ, ＡＢＣ → ABC, １ → 1), then lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def words(q: str) -> list[str]:
    """The query's words, normalised, in order, without repeats; [] when q holds only spaces."""
    return list(dict.fromkeys(word for word in _WORD_SEPARATORS.split(normalise(q)) if word))


def grams(word: str) -> list[str]:
    """The grams a row must hold for word to be in one of its cells: the word itself up to two
    characters, else its distinct bigrams."""
    if len(word) <= 2:
        return [word]
    return list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))


def like_pattern(word: str) -> str:
    """'%word%' for LIKE, with LIKE's own characters (% _ and the escape \\) taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class Match:
    """SQL pieces for one search, with the parameters they name.

    `where` are (clause, params) pairs in CKAN's IDatastore form. `ranks` maps a rank column's name
    (`rank`, or `rank <column>` for the column form, as CKAN names them) to an expression that is
    higher for better rows: the number of words that are a whole cell, plus a fraction below 1 that
    is larger the earlier the words appear (strpos in `_odl_search`, so earlier columns first); its
    parameters are in `rank_params` under the same name. `index_where` are the grams' clauses alone
    (what the GIN index answers, before LIKE), for estimating how many rows the index hands over.
    """

    where: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    index_where: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ranks: dict[str, str] = field(default_factory=dict)
    rank_params: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rank_parameters(self, names: list[str]) -> dict[str, Any]:
        """The parameters of the named ranks."""
        return {key: value for name in names for key, value in self.rank_params[name].items()}

    def with_rank_params(self, names: list[str]) -> list[tuple[str, dict[str, Any]]]:
        """The where clauses, also carrying the parameters of the named ranks a statement uses.
        (CKAN renders csv/tsv statements with every parameter bound literally, so a parameter the
        statement does not use is an error there.)"""
        if not self.where:
            return []
        (clause, params), *rest = self.where
        for name in names:
            params = {**params, **self.rank_params[name]}
        return [(clause, params), *rest]


class MatchBuilder:
    """Builds the clauses for a row query and for column queries, numbering parameters uniquely.

    use_grams=False leaves out the grams (`@>`) and matches every word by LIKE alone, the same rows:
    for a word in most rows, read in table order (bounded.py), the index would only cost time."""

    def __init__(self, prefix: str = "odl_q", *, use_grams: bool = True) -> None:
        self.prefix = prefix
        self.use_grams = use_grams
        self.count = 0
        self.match = Match()

    def _param(self, params: dict[str, Any], value: str) -> str:
        name = f"{self.prefix}_{self.count}"
        self.count += 1
        params[name] = value
        return f":{name}"

    def _array(self, params: dict[str, Any], values: list[str]) -> str:
        """ARRAY[:p, …] of text, one parameter a value (a list parameter cannot be rendered literally)."""
        return f"ARRAY[{', '.join(f'CAST({self._param(params, value)} AS text)' for value in values)}]"

    def _grams_clause(self, params: dict[str, Any], all_grams: list[str]) -> str:
        """`_odl_grams @> ARRAY[…]`, its parameters added to params; also kept in index_where."""
        own: dict[str, Any] = {}
        clause = f"{GRAMS_COLUMN} @> {self._array(own, all_grams)}"
        params.update(own)
        self.match.index_where.append((clause, own))
        return clause

    def row(self, row_words: list[str], rank_name: str = "rank") -> None:
        """Every word anywhere in the row; ranked under rank_name."""
        if not row_words:
            return
        params: dict[str, Any] = {}
        clauses = []
        if self.use_grams:
            all_grams = list(dict.fromkeys(gram for word in row_words for gram in grams(word)))
            clauses.append(self._grams_clause(params, all_grams))
        clauses += [
            f"{SEARCH_COLUMN} LIKE {self._param(params, like_pattern(word))}"
            for word in row_words
            if len(word) > 2 or not self.use_grams
        ]
        self.match.where.append((" AND ".join(clauses), params))
        ranked = self.match.rank_params.setdefault(rank_name, {})
        whole = " + ".join(
            f"CAST(strpos({SEARCH_COLUMN}, {self._param(ranked, CELL_SEPARATOR + word + CELL_SEPARATOR)}) > 0 AS int)"
            for word in row_words
        )
        position = " + ".join(f"strpos({SEARCH_COLUMN}, {self._param(ranked, word)})" for word in row_words)
        self.match.ranks[rank_name] = f"({whole} + 1.0 / (1 + {position}))"

    def column(self, column: str, column_type: str, column_words: list[str]) -> None:
        """Every word within the column's value (NFKC and lower case of the value as text); ranked
        under `rank <column>`. A text column's value is one of the row's cells, so the row's grams
        narrow the search first; other types are written differently as text (1.50 / 1.5), so only
        the value itself decides."""
        if not column_words:
            return
        params: dict[str, Any] = {}
        value = f"lower(normalize(CAST({identifier(column)} AS text), NFKC))"
        clauses = []
        if column_type == "text" and self.use_grams:
            column_grams = list(dict.fromkeys(gram for word in column_words for gram in grams(word)))
            clauses.append(self._grams_clause(params, column_grams))
        clauses += [f"{value} LIKE {self._param(params, like_pattern(word))}" for word in column_words]
        self.match.where.append((" AND ".join(clauses), params))
        ranked = self.match.rank_params.setdefault(f"rank {column}", {})
        whole = " + ".join(f"CAST({value} = {self._param(ranked, word)} AS int)" for word in column_words)
        position = " + ".join(f"strpos({value}, {self._param(ranked, word)})" for word in column_words)
        self.match.ranks[f"rank {column}"] = f"({whole} + 1.0 / (1 + {position}))"
