"""Demo submissions: 指定緊急避難場所一覧 as 防災対策部 keeps it."""

import random
from pathlib import Path
from typing import NamedTuple

from transforms.samples import FULL_WIDTH_DIGITS, HALF_KANA, Municipality, Town, address, phone, spot, write_records_csv

HAZARDS = ("洪水", "崖崩れ、土石流及び地滑り", "高潮", "地震", "津波", "大規模な火事", "内水氾濫", "火山現象")
EVACUATION_COLUMNS = [
    "全国地方公共団体コード", "ID", "地方公共団体名", "名称", "名称_カナ", "名称_英字",
    "所在地_全国地方公共団体コード", "所在地_連結表記", "緯度", "経度", "標高", "電話番号",
    *(f"災害種別_{hazard}" for hazard in HAZARDS),
    "指定避難所との重複", "想定収容人数", "対象となる町会・自治会", "URL", "備考",
]  # fmt: skip


class SiteKind(NamedTuple):
    name: str
    kana: str
    english: str
    indoor: bool  # a building: also a 指定避難所, has a phone
    hazards: tuple[str, ...]


SITE_KINDS = (
    SiteKind("小学校", "ショウガッコウ", "Elementary School", True, ("洪水", "地震", "大規模な火事")),
    SiteKind("中学校", "チュウガッコウ", "Junior High School", True, ("洪水", "地震", "大規模な火事")),
    SiteKind("高等学校", "コウトウガッコウ", "High School", True, ("洪水", "地震", "大規模な火事")),
    SiteKind("公民館", "コウミンカン", "Community Hall", True, ("洪水", "地震")),
    SiteKind("集会所", "シュウカイジョ", "Assembly Hall", True, ("地震",)),
    SiteKind("体育館", "タイイクカン", "Gymnasium", True, ("洪水", "地震", "大規模な火事")),
    SiteKind("保育園", "ホイクエン", "Nursery School", True, ("地震",)),
    SiteKind("幼稚園", "ヨウチエン", "Kindergarten", True, ("洪水", "地震")),
    SiteKind("老人憩の家", "ロウジンイコイノイエ", "Senior Citizens' Center", True, ("地震",)),
    SiteKind("公園", "コウエン", "Park", False, ("地震", "大規模な火事")),
    SiteKind("グラウンド", "グラウンド", "Sports Ground", False, ("地震", "大規模な火事")),
    SiteKind("高台広場", "タカダイヒロバ", "Hilltop Square", False, ("高潮", "津波")),
    SiteKind("津波避難タワー", "ツナミヒナンタワー", "Tsunami Evacuation Tower", False, ("高潮", "地震", "津波")),
    SiteKind("神社境内", "ジンジャケイダイ", "Shrine Grounds", False, ("地震", "津波")),
)
EVACUATION_NOTES = (
    "①体育館 ②グラウンドの順に開放",
    "管理：㈱髙橋ビルサービス（指定管理者）",
    "開錠は8:30～17:15は施設職員、それ以外は地区防災委員",
    "津波の際は屋上（3階）へ避難",
    "駐車場なし。徒歩で避難してください",
    "髙田地区と共用",
    "耐震改修済（平成28年度）",
)
SITES_PER_CITY, SITES_PER_TOWN = 70, 35


def evacuation_sites(rng: random.Random, municipalities: list[Municipality]) -> list[dict[str, str]]:
    """Sites of every municipality, numbered within it; more in cities."""
    rows = []
    for municipality in municipalities:
        combos = [(town, kind) for town in municipality.area.towns for kind in SITE_KINDS]
        count = SITES_PER_CITY if municipality.is_city else SITES_PER_TOWN
        for number, (town, kind) in enumerate(rng.sample(combos, count), 1):
            rows.append(evacuation_site(rng, municipality, number, town, kind))
    return rows


def evacuation_site(
    rng: random.Random, municipality: Municipality, number: int, town: Town, kind: SiteKind
) -> dict[str, str]:
    lat, lon = spot(rng, municipality)
    hazards = set(kind.hazards)
    if rng.random() < 0.15:
        hazards.add("崖崩れ、土石流及び地滑り")
    if "洪水" in hazards and rng.random() < 0.4:
        hazards.add("内水氾濫")
    capacity = rng.randrange(50, 800, 10) if kind.indoor else rng.randrange(200, 3000, 50)
    tel = phone(rng, municipality) if kind.indoor else ""
    kana = town.kana + kind.kana
    return {
        "全国地方公共団体コード": municipality.code,
        "ID": f"{number:04d}",
        "地方公共団体名": municipality.lg_name,
        "名称": town.name + kind.name,
        # Some clerks type kana half-width (ｼｮｳｶﾞｯｺｳ), as old systems required.
        "名称_カナ": kana.translate(HALF_KANA) if rng.random() < 0.3 else kana,
        "名称_英字": f"{town.romaji} {kind.english}" if rng.random() < 0.6 else "",
        "所在地_全国地方公共団体コード": municipality.code,
        "所在地_連結表記": address(rng, municipality, town),
        "緯度": f"{lat:.6f}",
        "経度": f"{lon:.6f}",
        "標高": f"{rng.uniform(1, 120):.1f}" if rng.random() < 0.8 else "",
        "電話番号": tel.translate(FULL_WIDTH_DIGITS) if rng.random() < 0.06 else tel,
        **{f"災害種別_{hazard}": "1" if hazard in hazards else "" for hazard in HAZARDS},
        "指定避難所との重複": "1" if kind.indoor else "",
        # Excel shows 1,200 with the separator, and "save as CSV" keeps it.
        "想定収容人数": f"{capacity:,}" if capacity >= 1000 and rng.random() < 0.5 else str(capacity),
        "対象となる町会・自治会": rng.choice((f"{town.name}自治会", f"{town.name}一区、{town.name}二区", "")),
        "URL": f"{municipality.site}/bousai/hinanbasho/{number:04d}.html" if rng.random() < 0.1 else "",
        "備考": rng.choice(EVACUATION_NOTES) if rng.random() < 0.1 else "",
    }


def write_evacuation_sites(folder: Path, municipalities: list[Municipality]) -> None:
    rows = evacuation_sites(random.Random("evacuation-sites"), municipalities)
    write_records_csv(folder / "指定緊急避難場所一覧_令和6年度.csv", EVACUATION_COLUMNS, rows, "cp932")


def write_evacuation_sites_rejected(folder: Path, municipalities: list[Municipality]) -> None:
    """The first 200 sites of an earlier draft, with the mistakes a review sends back."""
    rows = evacuation_sites(random.Random("evacuation-sites-draft"), municipalities)[:200]
    rows[11]["災害種別_洪水"] = "○"  # marked as on the paper form
    rows[46]["緯度"], rows[46]["経度"] = rows[46]["経度"], rows[46]["緯度"]
    code = rows[87]["全国地方公共団体コード"]
    rows[87]["全国地方公共団体コード"] = code[:5] + str((int(code[5]) + 1) % 10)  # last digit mistyped
    rows.insert(130, dict(rows[129]))  # a row pasted twice
    rows[170]["名称"] = ""
    write_records_csv(folder / "指定緊急避難場所一覧_修正前.csv", EVACUATION_COLUMNS, rows, "cp932")


# What `odl check` says of each file written: its rows when accepted, one error code per planted mistake when not.
EXPECTED: dict[str, dict[str, object]] = {
    "指定緊急避難場所一覧_令和6年度.csv": {"rows": 14 * SITES_PER_CITY + 15 * SITES_PER_TOWN},  # 14 市, 15 町
    "指定緊急避難場所一覧_修正前.csv": {
        "errors": [
            "invalid_flag",
            "coordinates_swapped",
            "lg_code_check_digit",
            "duplicate_key",
            "required_value_missing",
        ]
    },
}


def write_samples(folder: Path, municipalities: list[Municipality]) -> None:
    write_evacuation_sites(folder, municipalities)
    write_evacuation_sites_rejected(folder, municipalities)
