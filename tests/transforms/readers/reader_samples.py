"""Column names the reader tests expect (a module of its own: `conftest` is not a unique module name)."""

from collections.abc import Callable
from pathlib import Path

MONTHS = [f"{month}月" for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
VISITOR_COLUMNS = ["市町名", *MONTHS, "合計"]
FACILITY_COLUMNS = ["全国地方公共団体コード", "ID", "名称", "緯度", "経度", "備考"]

WriteFile = Callable[[str, bytes], Path]
