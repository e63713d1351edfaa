"""Check a submitted file against its source contract: read, normalise, and find every error.

`check_file` is what `odl check` and the store DAG run. It returns the
normalised table (contract columns, in contract order, rows in submission
order, indexed by the row number the department sees) and every finding.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from transforms.column_types import LATITUDE_RANGE, LONGITUDE_RANGE, column_type
from transforms.contracts import Column, SourceContract
from transforms.findings import Finding, UnreadableFile, error, more_findings, summarised, warning
from transforms.japanese.dates import date_error_params
from transforms.japanese.formulas import formula_like
from transforms.japanese.width import blank_markers_to_empty
from transforms.layouts import layout_of
from transforms.readers import ReadResult, SheetTable, header_key, read_table
from transforms.reference import Municipalities, load_municipalities
from transforms.settings import read_limits


@dataclass
class CheckResult:
    dataset: str
    file: str
    encoding: str | None
    format: str | None
    table: pd.DataFrame | None  # None when the file could not be read as a table
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def rows(self) -> int | None:
        return None if self.table is None else len(self.table)

    @property
    def valid(self) -> bool:
        return self.table is not None and not self.errors

    def to_dict(self) -> dict[str, Any]:
        """The object `odl check --json` prints and report.json stores."""
        return {
            "dataset": self.dataset,
            "file": self.file,
            "encoding": self.encoding,
            "format": self.format,
            "rows": self.rows,
            "valid": self.valid,
            "errors": [finding.to_dict() for finding in self.errors],
            "warnings": [finding.to_dict() for finding in self.warnings],
        }


def check_file(path: Path, contract: SourceContract, municipalities: Municipalities | None = None) -> CheckResult:
    municipalities = municipalities or load_municipalities()
    layout = layout_of(contract)
    header_names = layout.header_names if layout else contract.column_names
    try:
        read = read_table(path, header_names, all_sheets=bool(layout and layout.all_sheets))
    except UnreadableFile as unreadable:
        return CheckResult(contract.id, path.name, None, None, None, errors=[unreadable.finding])
    errors, warnings = list(read.errors), read_warnings(read)
    if layout:
        raw, findings = layout.reshape(read, contract, municipalities)
    else:
        raw, findings = contract_columns(read.sheets[0], contract)
    errors += [f for f in findings if f.severity == "error"]
    warnings += [f for f in findings if f.severity == "warning"]
    if raw.empty and not errors:
        errors.append(error("no_data_rows"))
    absent = {f.column for f in errors if f.code == "missing_required_column"}
    table, row_errors = normalise(raw, contract, municipalities, absent)
    errors += row_errors
    errors.sort(key=_finding_order(contract))
    keep = read_limits().findings_per_code
    return CheckResult(
        contract.id, path.name, read.encoding, read.format, table, summarised(errors, keep), summarised(warnings, keep)
    )


def read_warnings(read: ReadResult) -> list[Finding]:
    """The reader's warnings, each naming its sheet when the file has more than one."""
    if len(read.sheets) < 2:
        return list(read.warnings)
    per_sheet = [(sheet.name, warning) for sheet in read.sheets for warning in sheet.warnings]
    claimed = {id(warning) for _, warning in per_sheet}
    return [w for w in read.warnings if id(w) not in claimed] + [w.in_sheet(name) for name, w in per_sheet]


def contract_columns(sheet: SheetTable, contract: SourceContract) -> tuple[pd.DataFrame, list[Finding]]:
    """The sheet's cells under contract column names (absent optional columns empty), by header text."""
    by_key = {header_key(name): name for name in contract.column_names}
    positions: dict[str, list[int]] = {}
    findings: list[Finding] = []
    for position, cell in enumerate(sheet.header):
        name = by_key.get(header_key(cell))
        if name:
            positions.setdefault(name, []).append(position)
        elif cell.strip():
            findings.append(warning("ignored_unknown_column", column=cell.strip()))
    for name, found in positions.items():
        if len(found) > 1:
            findings.append(error("duplicate_column", column=name, count=len(found)))
    for column in contract.columns:
        if column.required and column.name not in positions:
            findings.append(error("missing_required_column", column=column.name))
    empty = pd.Series("", index=sheet.cells.index, dtype=object)
    frame = pd.DataFrame(
        {name: sheet.cells[positions[name][0]] if name in positions else empty for name in contract.column_names},
        index=sheet.cells.index,
    )
    return frame, findings


def normalise(
    raw: pd.DataFrame, contract: SourceContract, municipalities: Municipalities, absent: set[str | None]
) -> tuple[pd.DataFrame, list[Finding]]:
    """Normalised values for every contract column and the row-level errors found on the way.

    Columns in `absent` are already reported missing from the file; their empty cells are not repeated per row.
    Every rule here looks at one cell at a time, and most columns repeat a few values (dates, names, flags)
    over many rows: each distinct value is checked and parsed once and the results are spread back over the rows.
    """
    rows = raw.index.to_numpy()
    findings: list[Finding] = []
    table = pd.DataFrame(index=raw.index)
    for column in contract.columns:
        submitted = raw[column.name].astype(str).str.strip()
        positions, uniques = pd.factorize(submitted, use_na_sentinel=False)
        distinct = pd.Series(uniques, dtype=submitted.dtype)
        formula = formula_like(distinct).to_numpy(dtype=bool)
        findings += _findings(
            _codes_at(formula, "formula_like_text"),
            positions,
            rows,
            column.name,
            submitted,
            lambda value, code: {"first": value[:1]},
        )
        values = blank_markers_to_empty(distinct)
        missing = (values == "").to_numpy(dtype=bool) & column.required & (column.name not in absent)
        findings += _findings(_codes_at(missing, "required_value_missing"), positions, rows, column.name, submitted)
        parsed = column_type(column).parse(values, column, municipalities)
        codes = parsed.errors.to_numpy(dtype=object, copy=True)
        codes[formula] = None
        findings += _findings(codes, positions, rows, column.name, submitted, _message_params(column))
        table[column.name] = _spread(parsed.values, positions, raw.index, many=values.nunique() * 2 > len(submitted))
    for check in contract.checks:
        findings += TABLE_CHECKS[check["check"]](table, rows, check)
    findings += duplicate_keys(table, rows, contract.key)
    return table, findings


def _codes_at(mask: np.ndarray, code: str) -> np.ndarray:
    """A finding code where mask holds, None elsewhere."""
    codes = np.full(len(mask), None, dtype=object)
    codes[mask] = code
    return codes


def _spread(distinct: pd.Series, positions: np.ndarray, index: pd.Index, many: bool) -> pd.Series:
    """Per-row values from the parsed distinct cells: in the parser's dtype when `many` cells are distinct, else object.

    The dtypes are those of the earlier code, which parsed columns of mostly distinct cells whole.
    """
    if many:
        return pd.Series(distinct.array.take(positions), index=index, dtype=distinct.dtype)
    return pd.Series(distinct.to_numpy(dtype=object)[positions], index=index, dtype=object)


def _message_params(column: Column) -> Callable[[str, str], dict[str, Any]]:
    def params(value: str, code: str) -> dict[str, Any]:
        if code == "invalid_choice":
            return {"choices": "、".join(f"「{choice}」" for choice in column.choices)}
        if code == "era_year_out_of_range":
            return date_error_params(value)
        return {}

    return params


def _findings(
    codes: np.ndarray,
    positions: np.ndarray,
    rows: np.ndarray,
    column: str | None,
    values: pd.Series,
    params: Callable[[str, str], dict[str, Any]] = lambda value, code: {},
) -> list[Finding]:
    """One finding per row whose distinct value (positions index codes) has a code; Python objects only for those."""
    flagged = pd.notna(codes)
    if not flagged.any():
        return []
    failing = np.flatnonzero(flagged[positions])
    codes_array = codes[positions[failing]]
    # Beyond the number kept per code, findings are only counted (a million bad dates would not fit in memory).
    keep = read_limits().findings_per_code
    kept = np.zeros(len(failing), dtype=bool)
    found: list[Finding] = []
    for code in pd.unique(codes_array):
        where = np.flatnonzero(codes_array == code)
        kept[where[:keep]] = True
        if len(where) > keep:
            found.append(more_findings(str(code), len(where) - keep, keep))
    failing, codes_array = failing[kept], codes_array[kept]
    values_array = values.iloc[failing].to_numpy()
    for index, position in enumerate(failing):
        value, code = str(values_array[index]), codes_array[index]
        found.append(error(code, row=int(rows[position]), column=column, value=value, **params(value, code)))
    return found


def _as_numbers(values: pd.Series) -> pd.Series:
    return _per_distinct(values, lambda distinct: pd.to_numeric(distinct.where(distinct != ""), errors="coerce"))


def _as_dates(values: pd.Series) -> pd.Series:
    return _per_distinct(values, lambda distinct: pd.to_datetime(distinct, format="%Y-%m-%d", errors="coerce"))


def _per_distinct(values: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """convert (elementwise) applied to each distinct value once, spread back over values' index."""
    positions, uniques = pd.factorize(values, use_na_sentinel=False)
    converted = convert(pd.Series(uniques, dtype=values.dtype))
    return pd.Series(converted.array.take(positions), index=values.index, dtype=converted.dtype)


def _inside(numbers: pd.Series, bounds: tuple[float, float]) -> pd.Series:
    return numbers.between(*bounds)


def check_coordinates(table: pd.DataFrame, rows: np.ndarray, check: dict[str, Any]) -> list[Finding]:
    """Both or neither; inside Mie's box; swapped 緯度/経度 named as such rather than as two range errors."""
    lat_column, lon_column = check["latitude"], check["longitude"]
    lat, lon = _as_numbers(table[lat_column]), _as_numbers(table[lon_column])
    lat_given, lon_given = table[lat_column] != "", table[lon_column] != ""
    both = lat.notna() & lon.notna()
    swapped = both & ~(_inside(lat, LATITUDE_RANGE) & _inside(lon, LONGITUDE_RANGE))
    swapped &= _inside(lon, LATITUDE_RANGE) & _inside(lat, LONGITUDE_RANGE)
    positions, findings = _first_positions(swapped, "coordinates_swapped")
    for position in positions:
        findings.append(
            error(
                "coordinates_swapped",
                row=int(rows[position]),
                column=lat_column,
                lat=lat.iloc[position],
                lon=lon.iloc[position],
            )
        )
    for column, numbers, bounds in ((lat_column, lat, LATITUDE_RANGE), (lon_column, lon, LONGITUDE_RANGE)):
        outside = numbers.notna() & ~_inside(numbers, bounds) & ~swapped
        positions, more = _first_positions(outside, "coordinate_out_of_range")
        findings += more
        for position in positions:
            findings.append(
                error(
                    "coordinate_out_of_range",
                    row=int(rows[position]),
                    column=column,
                    value=table[column].iloc[position],
                    low=bounds[0],
                    high=bounds[1],
                )
            )
    positions, more = _first_positions(lat_given != lon_given, "coordinates_incomplete")
    findings += more
    for position in positions:
        empty_column = lon_column if lat_given.iloc[position] else lat_column
        findings.append(error("coordinates_incomplete", row=int(rows[position]), column=empty_column))
    return findings


def check_date_order(table: pd.DataFrame, rows: np.ndarray, check: dict[str, Any]) -> list[Finding]:
    later, earlier = table[check["later"]], table[check["earlier"]]
    # Unparsed values (already reported) become NaT, and comparisons with NaT are False.
    wrong = _as_dates(later) < _as_dates(earlier)
    positions, more = _first_positions(wrong, "date_order")
    return more + [
        error(
            "date_order",
            row=int(rows[position]),
            column=check["later"],
            value=later.iloc[position],
            other=check["earlier"],
            other_value=earlier.iloc[position],
        )
        for position in positions
    ]


TABLE_CHECKS = {"coordinates": check_coordinates, "date_order": check_date_order}


def duplicate_keys(table: pd.DataFrame, rows: np.ndarray, key: tuple[str, ...]) -> list[Finding]:
    """Every repeat of a complete key, pointing at the row where the key first appeared."""
    keyed = table[list(key)].reset_index(drop=True)
    complete = (keyed != "").all(axis=1)
    repeated = keyed.duplicated() & complete
    if not repeated.any():
        return []
    first_rows = pd.Series(rows).groupby([keyed[name] for name in key], sort=False).transform("first")
    positions, findings = _first_positions(repeated, "duplicate_key")
    for position in positions:
        described = "、".join(f"{name}「{keyed.iloc[position][name]}」" for name in key)
        findings.append(
            error(
                "duplicate_key",
                row=int(rows[position]),
                column=key[-1],
                key=described,
                first_row=int(first_rows.loc[position]),
            )
        )
    return findings


def _first_positions(mask: pd.Series, code: str) -> tuple[np.ndarray, list[Finding]]:
    """Where mask holds, as many positions as findings are kept per code, and a more_findings for the rest."""
    positions = np.flatnonzero(mask.to_numpy(dtype=bool))
    keep = read_limits().findings_per_code
    return positions[:keep], [more_findings(code, len(positions) - keep, keep)] if len(positions) > keep else []


def _finding_order(contract: SourceContract) -> Callable[[Finding], tuple[int, int, int]]:
    order = {name: index for index, name in enumerate(contract.column_names)}

    def key(finding: Finding) -> tuple[int, int, int]:
        # File-level findings first, then by row, then by contract column order.
        return (finding.row is not None, finding.row or 0, order.get(finding.column or "", -1))

    return key
