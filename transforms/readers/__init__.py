"""Reading the files departments keep (CSV/TSV/Unicode text, .xlsx, .xls) into tables of strings.

Every value is a str ("" when empty) and every row keeps the number the department
sees in its own file, so findings can point at the row to fix.
"""

from transforms.readers.header import header_key
from transforms.readers.model import ReadResult, SheetTable
from transforms.readers.read import read_table

__all__ = ["ReadResult", "SheetTable", "header_key", "read_table"]
