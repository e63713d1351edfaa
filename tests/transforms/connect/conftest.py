"""Small input tables built in code, shaped like raw/<dataset>/<sha256>.parquet (normalised strings)."""

import json
from pathlib import Path

import pandas as pd
import pytest

from transforms.contracts import PublishedContract, load_published_contracts, load_source_contracts
from transforms.data_layout import DataLayout
from transforms.reference import Municipalities, load_municipalities
from transforms.store import SOURCE_ROW_COLUMN


@pytest.fixture(scope="session")
def contracts() -> dict[str, PublishedContract]:
    return load_published_contracts()


@pytest.fixture(scope="session")
def municipalities() -> Municipalities:
    return load_municipalities()


def raw_table(dataset: str, rows: list[dict[str, str]], first_row: int = 2) -> pd.DataFrame:
    """A raw table of the source dataset: every contract column ("" where not given), plus _source_row."""
    columns = load_source_contracts()[dataset].column_names
    table = pd.DataFrame([{name: row.get(name, "") for name in columns} for row in rows], columns=columns, dtype=object)
    table.insert(0, SOURCE_ROW_COLUMN, range(first_row, first_row + len(rows)))
    return table


def csf_rows() -> list[dict[str, str]]:
    """Six samples: 津市 April ×3 (1 positive), 多気町 April ×1 (positive), 津市 May ×2 (0 positive)."""
    rows = [
        ("B-1", "2024-04-01", "津市", "陽性", "2024-04-03"),
        ("B-2", "2024-04-10", "津市", "陰性", "2024-04-12"),
        ("B-3", "2024-04-20", "津市", "陰性", ""),
        ("B-4", "2024-04-05", "多気町", "陽性", "2024-04-05"),
        ("B-5", "2024-05-01", "津市", "陰性", "2024-05-02"),
        ("B-6", "2024-05-31", "津市", "陰性", "2024-06-01"),
    ]
    return [
        {"検体番号": n, "捕獲年月日": c, "市町名": m, "検査結果": r, "検査年月日": t, "緯度": "34.7", "経度": "136.5"}
        for n, c, m, r, t in rows
    ]


def visitor_rows() -> list[dict[str, str]]:
    """Two months. 2024-04: 津市 100, 松阪市 50 (中南勢), 四日市市 30 (北勢), 名張市 not surveyed (伊賀).
    2024-05: 津市 7 only; 四日市市 and 松阪市 not surveyed."""
    values = {
        ("2024-04", "242012"): "100",
        ("2024-04", "242047"): "50",
        ("2024-04", "242021"): "30",
        ("2024-04", "242080"): "",
        ("2024-05", "242021"): "",
        ("2024-05", "242012"): "7",
        ("2024-05", "242047"): "",
    }
    names = {
        "242012": ("津市", "中南勢"),
        "242047": ("松阪市", "中南勢"),
        "242021": ("四日市市", "北勢"),
        "242080": ("名張市", "伊賀"),
    }
    return [
        {
            "年月": month,
            "全国地方公共団体コード": code,
            "市町名": names[code][0],
            "地域": names[code][1],
            "入込客数": value,
        }
        for (month, code), value in values.items()
    ]


def put_raw(data_root: Path, dataset: str, table: pd.DataFrame, sha256: str) -> Path:
    """Write a raw table and latest.json as the store stage does for an accepted submission."""
    layout = DataLayout(data_root)
    path = layout.raw_file(dataset, sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(path, index=False)
    latest = {"dataset": dataset, "sha256": sha256, "outcome": "accepted", "raw_path": str(path)}
    layout.raw_latest(dataset).write_text(json.dumps(latest), encoding="utf-8")
    return path
