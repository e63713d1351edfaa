"""Vectorised normalisation and validation of cell values found in Japanese government files.

Every parser takes a Series of str (empty cell = "", already stripped) and returns a Parsed:
normalised `values` and per-cell `errors` (finding codes from transforms.findings, None where
fine), aligned to the input's index. Empty cells are never errors here: required-ness, and
turning a lone dash into an empty cell (blank_markers_to_empty), are the caller's steps.
"""

from transforms.japanese.codes import lg_check_digit, parse_lg_codes
from transforms.japanese.dates import date_error_params, parse_dates
from transforms.japanese.flags import parse_flags
from transforms.japanese.formulas import formula_like
from transforms.japanese.numbers import parse_decimals, parse_integers
from transforms.japanese.parsed import Parsed
from transforms.japanese.phones import parse_phones
from transforms.japanese.times import parse_times
from transforms.japanese.urls import parse_urls
from transforms.japanese.width import blank_markers_to_empty, fold_ascii_width, kana_to_fullwidth

__all__ = [
    "Parsed",
    "blank_markers_to_empty",
    "date_error_params",
    "fold_ascii_width",
    "formula_like",
    "kana_to_fullwidth",
    "lg_check_digit",
    "parse_dates",
    "parse_decimals",
    "parse_flags",
    "parse_integers",
    "parse_lg_codes",
    "parse_phones",
    "parse_times",
    "parse_urls",
]
