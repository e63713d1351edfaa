"""Small curated versions built in code, written the way connect writes them (parquet + latest.json)."""

import hashlib
import json
from pathlib import Path

import pandas as pd

from transforms.data_layout import DataLayout

REGIONS = ["北勢", "中南勢", "伊賀", "伊勢志摩", "東紀州", "県計"]
# (code, name, region) of a few Mie municipalities
MUNICIPALITIES = [("242012", "津市", "中南勢"), ("242021", "四日市市", "北勢"), ("242039", "伊勢市", "伊勢志摩")]


def visitors_by_region(months: int = 4, *, bump: int = 0) -> pd.DataFrame:
    """tourist-visitors-by-region: one row per month and region; bump changes the first row's count."""
    rows = [
        {"年月": f"2024-{month:02d}", "地域": region, "入込客数": str(1000 * (i + 1) + month), "報告市町数": "5"}
        for month in range(1, months + 1)
        for i, region in enumerate(REGIONS)
    ]
    rows[0]["入込客数"] = str(int(rows[0]["入込客数"]) + bump)
    return pd.DataFrame(rows)


def evacuation_sites(count: int = 5, *, marker: str = "v1") -> pd.DataFrame:
    """evacuation-sites with every column; marker goes into 備考 of every row (readers can tell versions apart)."""
    rows = []
    for number in range(1, count + 1):
        code, city, region = MUNICIPALITIES[number % len(MUNICIPALITIES)]
        rows.append(
            {
                "全国地方公共団体コード": code,
                "ID": f"{number:05d}",
                "地方公共団体名": f"三重県{city}",
                "名称": f"{city}立第{number}避難場所",
                "名称_カナ": "ヒナンバショ",
                "名称_英字": "",
                "所在地_全国地方公共団体コード": code,
                "所在地_連結表記": f"三重県{city}{number}番地",
                "緯度": f"{34.7 + number / 1000:.5f}",
                "経度": "136.50862",
                "標高": "3.5" if number % 2 else "",
                "電話番号": "059-224-2184",
                "災害種別_洪水": "1",
                "災害種別_崖崩れ、土石流及び地滑り": "",
                "災害種別_高潮": "",
                "災害種別_地震": "1",
                "災害種別_津波": "1" if number % 2 else "",
                "災害種別_大規模な火事": "",
                "災害種別_内水氾濫": "",
                "災害種別_火山現象": "",
                "指定避難所との重複": "1",
                "想定収容人数": str(100 * number),
                "対象となる町会・自治会": "",
                "URL": "https://www.pref.mie.lg.jp/",
                "備考": marker,
                "市町名": city,
                "地域": region,
            }
        )
    return pd.DataFrame(rows)


def write_curated(data_root: Path, dataset: str, frame: pd.DataFrame) -> str:
    """Write a curated version and point latest.json at it; the version is the content hash."""
    layout = DataLayout(data_root)
    layout.curated_dir(dataset).mkdir(parents=True, exist_ok=True)
    version = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]
    path = layout.curated_file(dataset, version)
    frame.to_parquet(path, index=False)
    latest = {
        "dataset": dataset,
        "version": version,
        "rows": len(frame),
        "path": str(path),
        "created_at": "2026-12-02T12:00:00+09:00",
        "inputs": {},
    }
    layout.curated_latest(dataset).write_text(json.dumps(latest, ensure_ascii=False), encoding="utf-8")
    return version
