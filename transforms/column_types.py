"""The column types a contract may name (`type:` in source.yaml / published.yaml), one entry each.

An entry holds everything the pipeline knows about its type: what it means (in Japanese, for
contract authors), how the check parses and normalises a submitted cell, how connect stores it
(pandas dtype, curated Parquet type, the type and format the suite expects), and how citizens get
it (DataStore column type, typed Arrow table for COPY and CSV, Parquet download). The contracts,
the check (validate.py), connect (tables.py, suites.py) and create (tables.py, metadata.py) read
this registry; adding a type is adding one entry to TYPES.

Contracts are read when DAG files are parsed, so this module imports no pandas: the parsers
import the Japanese rules when a check runs.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from transforms.contracts import Column
    from transforms.japanese import Parsed
    from transforms.reference import Municipalities

# Mie's land and islands, in decimal degrees.
LATITUDE_RANGE = (33.70, 35.30)
LONGITUDE_RANGE = (135.80, 137.00)

Parser = Callable[["pd.Series", "Column", "Municipalities"], "Parsed"]


@dataclass(frozen=True)
class Curated:
    """How connect holds a column: pandas dtype in memory, Arrow type in the curated Parquet, and the
    dtype name the suite expects with its Japanese label."""

    dtype: str
    arrow: str  # pyarrow type alias (pa.type_for_alias)
    gx_type: str
    label_ja: str


CURATED_TEXT = Curated("string", "string", "StringDtype", "文字列")  # pyarrow-backed, pd.NA for missing
CURATED_INTEGER = Curated("Int64", "int64", "Int64Dtype", "整数")
CURATED_FLOAT = Curated("float64", "float64", "float64", "数値")


@dataclass(frozen=True)
class Published:
    """How citizens get a column: the DataStore's PostgreSQL type, the typed Arrow table that COPY and the
    CSV download are written from, and the Parquet download (pyarrow type aliases)."""

    datastore: str
    arrow: str
    parquet: str


# Codes (lg_code, phone) stay text so leading zeros survive; year_month (YYYY-MM) and time (HH:MM)
# stay text because a date or time type would print them differently from the contract's own form.
TEXT = Published("text", "string", "string")
INT8 = Published("int8", "int64", "int64")
NUMERIC = Published("numeric", "string", "float64")  # exact text keeps every digit; numbers in Parquet
FLOAT8 = Published("float8", "float64", "float64")
DATE = Published("date", "date32", "date32")


@dataclass(frozen=True)
class Format:
    """The shape a curated value has: a regex for the suite (groups do not capture: GX warns on capturing
    ones) and how its Japanese label names the shape."""

    pattern: str
    label_ja: str


@dataclass(frozen=True)
class AllowedValues:
    """The only values a column may hold, with the end of the suite's labels ("「名」が" + ja, name + " " + en)."""

    values: list[str]
    ja: str
    en: str


@dataclass(frozen=True)
class ColumnType:
    name: str
    description: str  # Japanese, for contract authors
    parse: Parser  # the check: submitted cells (distinct, trimmed) → normalised values and error codes
    curated: Curated
    published: Published
    format: Format | None = None  # suite: values match this, unless allowed_values lists them
    allowed_values: Callable[["Column", "Municipalities"], AllowedValues | None] | None = None
    bounds: tuple[float, float] | None = None  # suite: values lie within
    period: Callable[[Any, Any], tuple[str, str]] | None = None  # temporal coverage: (min, max) → first, last day
    place_code: bool = False  # spatial coverage: values are 全国地方公共団体コード


def _no_errors(values: "pd.Series") -> "pd.Series":
    import pandas as pd

    return pd.Series(None, index=values.index, dtype=object)


def _code_where(mask: "pd.Series", code: str) -> "pd.Series":
    """A finding code where mask holds, None elsewhere."""
    import pandas as pd

    return pd.Series(code, index=mask.index, dtype=object).where(mask, None)


def _parse_text(values: "pd.Series", column: "Column", municipalities: "Municipalities") -> "Parsed":
    from transforms.japanese import Parsed

    return Parsed(values, _no_errors(values))


def _parse_kana(values: "pd.Series", column: "Column", municipalities: "Municipalities") -> "Parsed":
    from transforms.japanese import Parsed, kana_to_fullwidth

    return Parsed(kana_to_fullwidth(values), _no_errors(values))


def _parse_lg_code(values: "pd.Series", column: "Column", municipalities: "Municipalities") -> "Parsed":
    from transforms.japanese import fold_ascii_width, parse_lg_codes

    parsed = parse_lg_codes(values)
    if column.in_mie:
        outside = parsed.errors.isna() & (parsed.values != "") & ~parsed.values.isin(municipalities.mie_codes)
        # A restored leading zero never gives a Mie code (24xxxx): five digits means the check digit is missing.
        five_digits = fold_ascii_width(values).str.fullmatch(r"\d{5}")
        parsed.errors[outside & five_digits] = "invalid_lg_code"
        parsed.errors[outside & ~five_digits] = "lg_code_not_in_mie"
    return parsed


def _parse_municipality(values: "pd.Series", column: "Column", municipalities: "Municipalities") -> "Parsed":
    from transforms.japanese import Parsed

    codes, errors = municipalities.resolve_names(values)
    names = municipalities.attribute(codes, "name")
    return Parsed(names.where(codes != "", values), errors)


def _japanese_parser(rule: str) -> Parser:
    """A parser that hands the cells alone to the transforms.japanese function named rule (parse_dates …)."""

    def parse(values: "pd.Series", column: "Column", municipalities: "Municipalities") -> "Parsed":
        import transforms.japanese

        parsed: Parsed = getattr(transforms.japanese, rule)(values)
        return parsed

    return parse


_parse_flag = _japanese_parser("parse_flags")
_parse_date = _japanese_parser("parse_dates")
_parse_time = _japanese_parser("parse_times")
_parse_phone = _japanese_parser("parse_phones")
_parse_url = _japanese_parser("parse_urls")


def _parse_integer(values: "pd.Series", column: "Column", municipalities: "Municipalities") -> "Parsed":
    from transforms.japanese import parse_integers

    return parse_integers(values, non_negative=column.non_negative)


def _parse_decimal(values: "pd.Series", column: "Column", municipalities: "Municipalities") -> "Parsed":
    from transforms.japanese import parse_decimals

    return parse_decimals(values, non_negative=column.non_negative)


def _parse_year_month(values: "pd.Series", column: "Column", municipalities: "Municipalities") -> "Parsed":
    from transforms.japanese import Parsed

    bad = (values != "") & ~values.str.match(r"^\d{4}-(0[1-9]|1[0-2])$")
    return Parsed(values, _code_where(bad, "invalid_date"))


def _parse_choice(values: "pd.Series", column: "Column", municipalities: "Municipalities") -> "Parsed":
    from transforms.japanese import Parsed, fold_ascii_width

    folded = fold_ascii_width(values).str.strip()
    bad = (folded != "") & ~folded.isin(list(column.choices))
    return Parsed(folded, _code_where(bad, "invalid_choice"))


def _mie_codes(column: "Column", municipalities: "Municipalities") -> AllowedValues | None:
    if not column.in_mie:
        return None
    return AllowedValues(
        sorted(municipalities.mie_codes),
        "三重県・県内市町のコード",
        "is one of Mie's codes (the prefecture's or a municipality's)",
    )


def _flag_values(column: "Column", municipalities: "Municipalities") -> AllowedValues:
    return AllowedValues(["1"], "「1」か空欄", "is 1 or empty")


def _choices(column: "Column", municipalities: "Municipalities") -> AllowedValues:
    return AllowedValues(
        list(column.choices), f" {'・'.join(column.choices)} のいずれか", f"is one of {', '.join(column.choices)}"
    )


def _days(low: Any, high: Any) -> tuple[str, str]:
    return low.isoformat(), high.isoformat()


def _months(low: str, high: str) -> tuple[str, str]:
    year, month = (int(part) for part in high.split("-"))
    return f"{low}-01", f"{high}-{calendar.monthrange(year, month)[1]:02d}"


TYPES: dict[str, ColumnType] = {
    type_.name: type_
    for type_ in (
        ColumnType("text", "自由記述。前後の空白を除き、提出されたまま", _parse_text, CURATED_TEXT, TEXT),
        ColumnType("kana", "フリガナ（…_カナ）。半角カナは全角に直す", _parse_kana, CURATED_TEXT, TEXT),
        ColumnType(
            "lg_code",
            "全国地方公共団体コード（6桁、検査数字つき）。in_mie なら三重県・県内市町のもの",
            _parse_lg_code,
            CURATED_TEXT,
            TEXT,
            format=Format(r"^\d{6}$", "6桁のコード"),
            allowed_values=_mie_codes,
            place_code=True,
        ),
        ColumnType(
            "municipality", "三重県の市町名（郡名はあってもなくてもよい）", _parse_municipality, CURATED_TEXT, TEXT
        ),
        ColumnType("integer", "整数。non_negative なら0以上", _parse_integer, CURATED_INTEGER, INT8),
        ColumnType(
            "decimal",
            "数値（小数を含む）。書かれた桁のまま公開する。non_negative なら0以上",
            _parse_decimal,
            CURATED_FLOAT,
            NUMERIC,
        ),
        ColumnType(
            "latitude",
            "緯度（10進数の度、三重県の範囲）",
            _parse_decimal,
            CURATED_FLOAT,
            FLOAT8,
            bounds=LATITUDE_RANGE,
        ),
        ColumnType(
            "longitude",
            "経度（10進数の度、三重県の範囲）",
            _parse_decimal,
            CURATED_FLOAT,
            FLOAT8,
            bounds=LONGITUDE_RANGE,
        ),
        ColumnType(
            "flag",
            "該当すれば「1」、しなければ空欄",
            _parse_flag,
            CURATED_TEXT,
            TEXT,
            allowed_values=_flag_values,
        ),
        ColumnType(
            "date",
            "日付。西暦でも和暦でもよく、YYYY-MM-DD にそろえる",
            _parse_date,
            CURATED_TEXT,
            DATE,
            format=Format(r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$", "YYYY-MM-DD"),
            period=_days,
        ),
        ColumnType(
            "year_month",
            "年月（YYYY-MM）。レイアウトが作る",
            _parse_year_month,
            CURATED_TEXT,
            TEXT,
            format=Format(r"^\d{4}-(?:0[1-9]|1[0-2])$", "YYYY-MM"),
            period=_months,
        ),
        ColumnType(
            "time",
            "時刻（HH:MM、24:00 まで）",
            _parse_time,
            CURATED_TEXT,
            TEXT,
            format=Format(r"^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$", "HH:MM"),
        ),
        ColumnType(
            "phone",
            "電話番号。半角数字とハイフンにそろえる",
            _parse_phone,
            CURATED_TEXT,
            TEXT,
            format=Format(r"^0\d(?:-?\d){8,9}$", "電話番号（半角数字とハイフン）"),
        ),
        ColumnType(
            "url",
            "URL（http:// か https://）",
            _parse_url,
            CURATED_TEXT,
            TEXT,
            format=Format(r"^https?://\S+$", "URL（http:// か https://）"),
        ),
        ColumnType("choice", "choices に並べた値のどれか", _parse_choice, CURATED_TEXT, TEXT, allowed_values=_choices),
    )
}


def column_type(column: "Column") -> ColumnType:
    return TYPES[column.type]
