"""Realistic, messy departmental submissions for the demo: `python scripts/make_samples.py OUT_DIR`.

Writes OUT_DIR/<department-id>/<file>. Each dataset gets one file `odl check` accepts, made the way
departments really save them (cp932 CSV from Excel, .xlsx with title rows, 和暦, half-width kana,
thousands separators), and one rejected file holding a handful of the mistakes they really make.

Deterministic: every file has its own seeded random.Random, nothing reads the clock or the network,
and the .xlsx files carry fixed timestamps, so two runs write byte-identical files.
"""

import csv
import datetime as dt
import io
import random
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

CATALOG = Path(__file__).resolve().parents[1] / "catalog"
PREFECTURE = "三重県"
# Stamped into the .xlsx properties and zip entries instead of the time of the run.
FIXED_TIME = dt.datetime(2024, 4, 1, 9, 0)
REIWA_START = dt.date(2019, 5, 1)
FISCAL_2024 = dt.date(2024, 4, 1)


# ---------------------------------------------------------------------------------------------------
# Municipalities: codes, names and 郡 from the catalog; places, phones and visitor numbers from here.


class Town(NamedTuple):
    name: str  # 地区 / 大字
    kana: str
    romaji: str


class Area(NamedTuple):
    lat: float  # near the 役所/役場
    lon: float
    phone_prefix: str  # 市外局番
    romaji: str  # as in the municipality's web address
    visitors: int  # 年間観光入込客数, thousands
    towns: tuple[Town, ...]


def _towns(*triples: str) -> tuple[Town, ...]:
    return tuple(Town(*triple.split("/")) for triple in triples)


# Centres lie at least 0.05° inside Mie's box (緯度 33.70–35.30, 経度 135.80–137.00), more than spot() moves a point.
AREAS = {
    "242012": Area(34.719, 136.506, "059", "tsu", 5800, _towns("丸之内/マルノウチ/Marunouchi", "一身田/イッシンデン/Isshinden", "久居/ヒサイ/Hisai", "河芸/カワゲ/Kawage", "香良洲/カラス/Karasu", "白山/ハクサン/Hakusan")),
    "242021": Area(34.965, 136.624, "059", "yokkaichi", 5600, _towns("富田/トミダ/Tomida", "日永/ヒナガ/Hinaga", "四郷/ヨゴウ/Yogo", "羽津/ハヅ/Hazu", "楠/クス/Kusu", "川島/カワシマ/Kawashima")),
    "242039": Area(34.487, 136.709, "0596", "ise", 9800, _towns("宇治/ウジ/Uji", "二見/フタミ/Futami", "小俣/オバタ/Obata", "御薗/ミソノ/Misono", "浜郷/ハマサト/Hamasato", "城田/キダ/Kida")),
    "242047": Area(34.578, 136.527, "0598", "matsusaka", 4200, _towns("殿町/トノマチ/Tonomachi", "嬉野/ウレシノ/Ureshino", "三雲/ミクモ/Mikumo", "飯南/イイナン/Iinan", "飯高/イイタカ/Iitaka", "射和/イザワ/Izawa")),
    "242055": Area(35.062, 136.684, "0594", "kuwana", 14500, _towns("長島/ナガシマ/Nagashima", "多度/タド/Tado", "大山田/オオヤマダ/Oyamada", "益生/マスオ/Masuo", "在良/アリヨシ/Ariyoshi")),
    "242071": Area(34.882, 136.584, "059", "suzuka", 4600, _towns("神戸/カンベ/Kambe", "白子/シロコ/Shiroko", "平田/ヒラタ/Hirata", "加佐登/カサド/Kasado", "稲生/イノウ/Ino", "椿/ツバキ/Tsubaki")),
    "242080": Area(34.628, 136.109, "0595", "nabari", 1400, _towns("桔梗が丘/キキョウガオカ/Kikyogaoka", "赤目/アカメ/Akame", "蔵持/クラモチ/Kuramochi", "百合が丘/ユリガオカ/Yurigaoka", "錦生/キンセイ/Kinsei")),
    "242098": Area(34.071, 136.191, "0597", "owase", 600, _towns("矢浜/ヤノハマ/Yanohama", "九鬼/クキ/Kuki", "三木里/ミキサト/Mikisato", "賀田/カタ/Kata", "須賀利/スガリ/Sugari")),
    "242101": Area(34.856, 136.452, "0595", "kameyama", 1300, _towns("関/セキ/Seki", "井田川/イダガワ/Idagawa", "川崎/カワサキ/Kawasaki", "野登/ノボリ/Nobori", "昼生/ヒルオ/Hiruo")),
    "242110": Area(34.481, 136.843, "0599", "toba", 4300, _towns("答志/トウシ/Toshi", "菅島/スガシマ/Sugashima", "相差/オウサツ/Osatsu", "石鏡/イジカ/Ijika", "鳥羽/トバ/Toba")),
    "242128": Area(33.889, 136.100, "0597", "kumano", 1500, _towns("木本/キノモト/Kinomoto", "有馬/アリマ/Arima", "紀和/キワ/Kiwa", "育生/イクセイ/Ikusei", "五郷/イサト/Isato")),
    "242144": Area(35.116, 136.561, "0594", "inabe", 1500, _towns("北勢/ホクセイ/Hokusei", "員弁/イナベ/Inabe", "大安/ダイアン/Daian", "藤原/フジワラ/Fujiwara", "阿下喜/アゲキ/Ageki")),
    "242152": Area(34.328, 136.831, "0599", "shima", 3900, _towns("鵜方/ウガタ/Ugata", "波切/ナキリ/Nakiri", "和具/ワグ/Wagu", "磯部/イソベ/Isobe", "浜島/ハマジマ/Hamajima", "賢島/カシコジマ/Kashikojima")),
    "242161": Area(34.769, 136.130, "0595", "iga", 2800, _towns("上野/ウエノ/Ueno", "柘植/ツゲ/Tsuge", "島ヶ原/シマガハラ/Shimagahara", "阿山/アヤマ/Ayama", "青山/アオヤマ/Aoyama", "大山田/オオヤマダ/Oyamada")),
    "243035": Area(35.068, 136.732, "0567", "kisosaki", 150, _towns("西対海地/ニシタイカイジ/Nishitaikaiji", "和富/ワトミ/Watomi", "源緑輪中/ゲンロクワジュウ/Genrokuwaju")),
    "243248": Area(35.077, 136.583, "0594", "toin", 400, _towns("山田/ヤマダ/Yamada", "笹尾/ササオ/Sasao", "長深/ナガフケ/Nagafuke", "鳥取/トットリ/Tottori")),
    "243418": Area(35.020, 136.507, "059", "komono", 2600, _towns("菰野/コモノ/Komono", "千草/チクサ/Chikusa", "竹永/タケナガ/Takenaga", "鵜川原/ウカワラ/Ukawara")),
    "243434": Area(35.035, 136.663, "059", "asahi", 100, _towns("小向/オブケ/Obuke", "柿/カキ/Kaki", "縄生/ナオ/Nao")),
    "243442": Area(35.021, 136.673, "059", "kawagoe", 200, _towns("豊田/トヨダ/Toyoda", "高松/タカマツ/Takamatsu", "亀須/カメズ/Kamezu")),
    "244414": Area(34.496, 136.546, "0598", "taki", 3000, _towns("相可/オウカ/Oka", "勢和/セイワ/Seiwa", "丹生/ニュウ/Nyu", "五桂/ゴカツラ/Gokatsura")),
    "244422": Area(34.552, 136.619, "0596", "meiwa", 600, _towns("斎宮/サイクウ/Saiku", "大淀/オイズ/Oizu", "上御糸/カミミイト/Kamimiito")),
    "244431": Area(34.392, 136.408, "0598", "odai", 500, _towns("佐原/サハラ/Sahara", "栃原/トチハラ/Tochihara", "大杉/オオスギ/Osugi")),
    "244619": Area(34.486, 136.632, "0596", "tamaki", 400, _towns("田丸/タマル/Tamaru", "有田/アリタ/Arita", "下外城田/シモトキダ/Shimotokida")),
    "244708": Area(34.436, 136.626, "0596", "watarai", 300, _towns("棚橋/タナハシ/Tanahashi", "内城田/ウチキダ/Uchikida", "一之瀬/イチノセ/Ichinose")),
    "244716": Area(34.357, 136.417, "0598", "taiki", 600, _towns("滝原/タキハラ/Takihara", "錦/ニシキ/Nishiki", "柏野/カシワノ/Kashiwano")),
    "244724": Area(34.352, 136.704, "0599", "minamiise", 800, _towns("五ヶ所/ゴカショ/Gokasho", "南島/ナントウ/Nanto", "宿浦/シュクノウラ/Shukunoura")),
    "245437": Area(34.211, 136.337, "0597", "kihoku", 1000, _towns("海山/ミヤマ/Miyama", "紀伊長島/キイナガシマ/Kiinagashima", "引本/ヒキモト/Hikimoto")),
    "245615": Area(33.813, 136.048, "05979", "mihama", 600, _towns("阿田和/アタワ/Atawa", "尾呂志/オロシ/Oroshi", "神志山/コウシヤマ/Koshiyama")),
    "245623": Area(33.765, 136.008, "0735", "kiho", 300, _towns("鵜殿/ウドノ/Udono", "井田/イダ/Ida", "神内/コウノウチ/Konouchi")),
}  # fmt: skip


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    district: str  # 郡名, "" for a 市
    region: str
    is_city: bool
    area: Area

    @property
    def full_name(self) -> str:
        """As in an address: 三重県多気郡多気町."""
        return f"{PREFECTURE}{self.district}{self.name}"

    @property
    def site(self) -> str:
        """The municipality's web site."""
        return f"https://www.{'city' if self.is_city else 'town'}.{self.area.romaji}.mie.jp"


def load_municipalities() -> list[Municipality]:
    with (CATALOG / "mie-municipalities.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    return [
        Municipality(
            row["全国地方公共団体コード"],
            row["市町名"],
            row["郡名"],
            row["地域"],
            row["種別"] == "市",
            AREAS[row["全国地方公共団体コード"]],
        )
        for row in rows
        if row["種別"] != "都道府県"
    ]


# ---------------------------------------------------------------------------------------------------
# How people type things.


def _half_width_kana() -> dict[int, str]:
    """Full-width katakana → half-width (ガ → ｶﾞ), as Excel's ASC() writes it: NFKC read backwards."""
    table: dict[str, str] = {}
    for code in range(0xFF61, 0xFFA0):
        half = chr(code)
        full = unicodedata.normalize("NFKC", half)
        table.setdefault(full, half)
        for mark, half_mark in (("\u3099", "ﾞ"), ("\u309a", "ﾟ")):
            composed = unicodedata.normalize("NFC", full + mark)
            if len(composed) == 1:
                table.setdefault(composed, half + half_mark)
    return str.maketrans(table)


HALF_KANA = _half_width_kana()
FULL_WIDTH_DIGITS = str.maketrans("0123456789-", "０１２３４５６７８９－")


def date_text(day: dt.date, style: str) -> str:
    """A date as typed: 令和6年4月3日 (kanji), R6.4.3 (letter) or 2024/4/3 (slash)."""
    if style == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    era, letter, year = ("令和", "R", day.year - 2018) if day >= REIWA_START else ("平成", "H", day.year - 1988)
    if style == "letter":
        return f"{letter}{year}.{day.month}.{day.day}"
    return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def spot(rng: random.Random, municipality: Municipality) -> tuple[float, float]:
    """A point near the municipality's centre (cities spread wider than towns)."""
    spread = 0.04 if municipality.is_city else 0.02
    area = municipality.area
    return round(area.lat + rng.uniform(-spread, spread), 6), round(area.lon + rng.uniform(-spread, spread), 6)


def phone(rng: random.Random, municipality: Municipality) -> str:
    """A ten-digit number under the municipality's 市外局番: 059-224-2111, 0595-21-3151, 05979-2-1234."""
    prefix = municipality.area.phone_prefix
    width = 6 - len(prefix)
    return f"{prefix}-{rng.randint(2 * 10 ** (width - 1), 10**width - 1)}-{rng.randint(0, 9999):04d}"


def address(rng: random.Random, municipality: Municipality, town: Town) -> str:
    number = f"{rng.randint(1, 1999)}" + (f"-{rng.randint(1, 12)}" if rng.random() < 0.4 else "")
    return f"{municipality.full_name}{town.name}{number}"


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]], encoding: str) -> None:
    """As Excel saves CSV: CRLF, quotes only where a field needs them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def save_workbook(book: Workbook, path: Path) -> None:
    """Save with fixed timestamps: openpyxl stamps the current time into docProps/core.xml and every zip entry."""
    book.properties.created = book.properties.modified = FIXED_TIME
    built = io.BytesIO()
    # ExcelWriter rather than book.save(), which sets .modified to now.
    ExcelWriter(book, zipfile.ZipFile(built, "w", zipfile.ZIP_DEFLATED)).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.infolist():
            entry = zipfile.ZipInfo(member.filename, date_time=FIXED_TIME.timetuple()[:6])
            target.writestr(entry, source.read(member), compress_type=zipfile.ZIP_DEFLATED)


def append_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """A row with dates and times shown as a Japanese Excel shows them."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, dt.time):
            cell.number_format = "h:mm"
        elif isinstance(cell.value, dt.date):
            cell.number_format = "yyyy/m/d"


# ---------------------------------------------------------------------------------------------------
# 防災対策部: 指定緊急避難場所一覧 (standard sheet 03).

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
        "地方公共団体名": f"{PREFECTURE}{municipality.name}",
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
    write_csv(
        folder / "指定緊急避難場所一覧_令和6年度.csv", EVACUATION_COLUMNS, _values(rows, EVACUATION_COLUMNS), "cp932"
    )


def write_evacuation_sites_rejected(folder: Path, municipalities: list[Municipality]) -> None:
    """The first 200 sites of an earlier draft, with the mistakes a review sends back."""
    rows = evacuation_sites(random.Random("evacuation-sites-draft"), municipalities)[:200]
    rows[11]["災害種別_洪水"] = "○"  # marked as on the paper form
    rows[46]["緯度"], rows[46]["経度"] = rows[46]["経度"], rows[46]["緯度"]
    code = rows[87]["全国地方公共団体コード"]
    rows[87]["全国地方公共団体コード"] = code[:5] + str((int(code[5]) + 1) % 10)  # last digit mistyped
    rows.insert(130, dict(rows[129]))  # a row pasted twice
    rows[170]["名称"] = ""
    write_csv(
        folder / "指定緊急避難場所一覧_修正前.csv", EVACUATION_COLUMNS, _values(rows, EVACUATION_COLUMNS), "cp932"
    )


def _values(rows: list[dict[str, str]], columns: Sequence[str]) -> list[list[str]]:
    return [[row[column] for column in columns] for row in rows]


# ---------------------------------------------------------------------------------------------------
# 観光部: 観光施設一覧 (standard sheet 11).

FACILITY_COLUMNS = [
    "全国地方公共団体コード", "ID", "地方公共団体名", "名称", "名称_カナ", "名称_英語", "所在地_連結表記",
    "緯度", "経度", "利用可能曜日", "開始時間", "終了時間", "利用可能日時特記事項", "料金（基本）", "説明",
    "電話番号", "URL", "登録日", "備考",
]  # fmt: skip


class Place(NamedTuple):
    name: str  # a landmark's whole name, or what follows the 地区 name (観光案内所)
    kana: str
    english: str
    staffed: bool  # open by the hour, with fees and a phone
    description: str


FACILITY_KINDS = (
    Place("観光案内所", "カンコウアンナイジョ", "Tourist Information Center", True, "観光パンフレットの配布や周辺の案内を行っています。"),
    Place("歴史資料館", "レキシシリョウカン", "History Museum", True, "地域の歴史や民俗資料を展示しています。"),
    Place("郷土資料館", "キョウドシリョウカン", "Local Museum", True, "昔の農具や生活用品を展示しています。"),
    Place("物産館", "ブッサンカン", "Local Products Shop", True, "地元の特産品や加工品を販売しています。"),
    Place("農産物直売所", "ノウサンブツチョクバイジョ", "Farmers' Market", True, "朝採れの野菜や果物を販売しています。"),
    Place("温泉", "オンセン", "Hot Spring", True, "日帰り入浴ができる天然温泉です。"),
    Place("体験交流館", "タイケンコウリュウカン", "Hands-on Center", True, "伝統工芸や郷土料理の体験ができます。"),
    Place("文化会館", "ブンカカイカン", "Cultural Hall", True, "季節ごとに企画展や催しを開いています。"),
    Place("展望台", "テンボウダイ", "Observation Deck", False, "晴れた日には伊勢湾を一望できます。"),
    Place("ふれあい公園", "フレアイコウエン", "Fureai Park", False, "遊具や芝生広場のある公園です。"),
    Place("キャンプ場", "キャンプジョウ", "Campground", False, "川沿いのキャンプ場です。要予約。"),
    Place("ハイキングコース", "ハイキングコース", "Hiking Trail", False, "里山を巡る約5kmのコースです。"),
    Place("桜並木", "サクラナミキ", "Cherry Blossom Avenue", False, "春には約300本の桜が咲きます。"),
)  # fmt: skip
# Well-known places, by municipality: (地区, place).
LANDMARKS = {
    "242012": [("丸之内", Place("津城跡", "ツジョウアト", "Tsu Castle Ruins", False, "藤堂高虎が改修した城の跡で、お城公園として親しまれています。"))],
    "242039": [("宇治", Place("伊勢神宮 内宮", "イセジングウ ナイクウ", "Ise Grand Shrine Naiku", False, "皇大神宮。五十鈴川のほとりに鎮まります。")), ("二見", Place("夫婦岩", "メオトイワ", "Meoto Iwa", False, "二見興玉神社の沖にある二つの岩で、夏至の頃には間から日が昇ります。"))],
    "242047": [("殿町", Place("松坂城跡", "マツサカジョウアト", "Matsusaka Castle Ruins", False, "蒲生氏郷が築いた城の跡で、石垣が残ります。"))],
    "242055": [("長島", Place("なばなの里", "ナバナノサト", "Nabana no Sato", True, "花と冬のイルミネーションで知られる施設です。"))],
    "242071": [("稲生", Place("鈴鹿サーキット", "スズカサーキット", "Suzuka Circuit", True, "国際レーシングコースと遊園地があります。"))],
    "242080": [("赤目", Place("赤目四十八滝", "アカメシジュウハチタキ", "Akame 48 Waterfalls", True, "渓谷沿いに大小の滝が続く景勝地です。"))],
    "242101": [("関", Place("関宿", "セキジュク", "Sekijuku", False, "東海道の宿場町の町並みが残る重要伝統的建造物群保存地区です。"))],
    "242110": [("鳥羽", Place("鳥羽水族館", "トバスイゾクカン", "Toba Aquarium", True, "ジュゴンなど約1,200種の生きものを飼育しています。"))],
    "242128": [("木本", Place("鬼ヶ城", "オニガジョウ", "Onigajo", False, "波の浸食でできた岩屋が連なる名勝です。")), ("紀和", Place("丸山千枚田", "マルヤマセンマイダ", "Maruyama Senmaida", False, "約1,340枚の棚田が広がる日本の棚田百選です。"))],
    "242152": [("鵜方", Place("横山展望台", "ヨコヤマテンボウダイ", "Yokoyama Observatory", False, "英虞湾のリアス海岸を見渡せます。"))],
    "242161": [("上野", Place("伊賀流忍者博物館", "イガリュウニンジャハクブツカン", "Iga-ryu Ninja Museum", True, "忍術の実演や忍者屋敷の見学ができます。"))],
    "243418": [("菰野", Place("御在所ロープウエイ", "ゴザイショロープウエイ", "Gozaisho Ropeway", True, "湯の山温泉から御在所岳山頂付近へ登るロープウエイです。"))],
    "244422": [("斎宮", Place("斎宮歴史博物館", "サイクウレキシハクブツカン", "Saiku Historical Museum", True, "国史跡斎宮跡の出土品や斎王の暮らしを紹介しています。"))],
}  # fmt: skip
WEEKDAYS = ("月火水木金土日", "火水木金土日", "月火水木金", "水木金土日")
CLOSED_DAYS = ("毎週月曜日休館（祝日の場合は翌日）", "年末年始（12月29日～1月3日）休館", "第2・第4水曜日休み", "")
FEES = ("無料", "大人300円、小人150円", "大人500円、中学生以下無料", "1,000円（税込）", "入館無料（特別展は別途）")
FACILITY_NOTES = (
    "①駐車場あり（50台） ②大型バス可",
    "指定管理者：㈱髙松観光開発",
    "見頃：3月下旬～4月上旬",
    "車いす対応トイレあり",
    "令和5年度にリニューアル",
)
FACILITIES_PER_CITY, FACILITIES_PER_TOWN = 40, 16


def facilities(rng: random.Random, municipalities: list[Municipality]) -> list[dict[str, object]]:
    """Landmarks and ordinary facilities of every municipality, as Python values for Excel cells."""
    rows: list[dict[str, object]] = []
    for municipality in municipalities:
        landmarks = LANDMARKS.get(municipality.code, [])
        count = (FACILITIES_PER_CITY if municipality.is_city else FACILITIES_PER_TOWN) - len(landmarks)
        combos = [(town, kind) for town in municipality.area.towns for kind in FACILITY_KINDS]
        towns = {town.name: town for town in municipality.area.towns}
        places = [(towns[town], landmark) for town, landmark in landmarks]
        places += [(town, _local(town, kind)) for town, kind in rng.sample(combos, count)]
        for number, (town, place) in enumerate(places, 1):
            rows.append(facility(rng, municipality, number, town, place))
    return rows


def _local(town: Town, kind: Place) -> Place:
    """An ordinary facility named after its 地区: 一身田観光案内所."""
    return Place(
        town.name + kind.name, town.kana + kind.kana, f"{town.romaji} {kind.english}", kind.staffed, kind.description
    )


def facility(
    rng: random.Random, municipality: Municipality, number: int, town: Town, place: Place
) -> dict[str, object]:
    lat, lon = spot(rng, municipality) if rng.random() < 0.92 else (None, None)
    start, end = rng.choice(((9, 0), (8, 30), (10, 0))), rng.choice(((17, 0), (16, 30), (18, 0), (21, 0)))
    tel = phone(rng, municipality) if place.staffed else ""
    registered = dt.date(2015, 4, 1) + dt.timedelta(days=rng.randrange(3287))  # up to 2024-03-31
    return {
        # Excel keeps the code as a number: 242012.
        "全国地方公共団体コード": int(municipality.code),
        "ID": f"{number:04d}",
        "地方公共団体名": f"{PREFECTURE}{municipality.name}",
        "名称": place.name,
        "名称_カナ": place.kana.translate(HALF_KANA) if rng.random() < 0.2 else place.kana,
        "名称_英語": place.english if rng.random() < 0.7 else "",
        "所在地_連結表記": address(rng, municipality, town),
        "緯度": lat,
        "経度": lon,
        "利用可能曜日": rng.choice(WEEKDAYS) if place.staffed else "",
        "開始時間": _clock(rng, *start) if place.staffed else None,
        "終了時間": _clock(rng, *end) if place.staffed else None,
        "利用可能日時特記事項": rng.choice(CLOSED_DAYS) if place.staffed else "終日開放",
        "料金（基本）": rng.choice(FEES) if place.staffed else "無料",
        "説明": f"{town.name}地区にあります。{place.description}",
        "電話番号": tel.translate(FULL_WIDTH_DIGITS) if rng.random() < 0.05 else tel,
        "URL": f"{municipality.site}/kanko/{number:04d}.html" if rng.random() < 0.3 else "",
        "登録日": _registered(rng, registered),
        "備考": rng.choice(FACILITY_NOTES) if rng.random() < 0.08 else "",
    }


def _clock(rng: random.Random, hour: int, minute: int) -> object:
    """Typed as text (9:00) by some, entered as an Excel time by others."""
    return dt.time(hour, minute) if rng.random() < 0.5 else f"{hour}:{minute:02d}"


def _registered(rng: random.Random, day: dt.date) -> object:
    """An Excel date cell, or 和暦 text (令和5年4月1日, R5.10.1, H30.4.1)."""
    style = rng.choice(("cell", "cell", "kanji", "letter"))
    return day if style == "cell" else date_text(day, style)


def write_facilities(folder: Path, municipalities: list[Municipality]) -> None:
    rows = facilities(random.Random("tourism-facilities"), municipalities)
    book = Workbook()
    sheet = book.active
    sheet.title = "観光施設一覧"
    sheet.append(["観光施設一覧"])
    sheet.append(["三重県観光部 令和6年4月1日現在"])
    sheet.append([])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, FACILITY_COLUMNS)
    for row in rows:
        append_row(sheet, [row[column] for column in FACILITY_COLUMNS])
    sheet.append(["※料金は令和6年4月1日現在の税込み価格です。"])
    sheet.append(["※営業時間・休館日は変更になる場合があります。お出かけ前にご確認ください。"])
    save_workbook(book, folder / "観光施設一覧.xlsx")


def write_facilities_rejected(folder: Path, municipalities: list[Municipality]) -> None:
    """Additions sent as "CSV UTF-8" (with BOM), with the mistakes a review sends back."""
    rows = facilities(random.Random("tourism-facilities-additions"), municipalities)[::8]
    rows[10]["開始時間"] = "朝9時"
    rows[40].update(  # a neighbour's sight, from a copied list
        {
            "全国地方公共団体コード": 231002,
            "地方公共団体名": "愛知県名古屋市",
            "名称": "名古屋城",
            "名称_カナ": "ナゴヤジョウ",
            "所在地_連結表記": "愛知県名古屋市中区本丸1-1",
            "緯度": None,
            "経度": None,
        }
    )
    rows[63]["備考"] = '=HYPERLINK("https://www.kankomie.or.jp/","詳しくはこちら")'
    # 経度 lost from a row that had both.
    next(row for row in rows[80:] if row["緯度"] is not None)["経度"] = None
    lines = [[_csv_text(row[column]) for column in FACILITY_COLUMNS] for row in rows]
    write_csv(folder / "観光施設一覧_追加分.csv", FACILITY_COLUMNS, lines, "utf-8-sig")


def _csv_text(value: object) -> str:
    """A cell as Excel writes it to CSV: 2023/4/1, 9:00, 34.71862."""
    if value is None:
        return ""
    if isinstance(value, dt.time):
        return f"{value.hour}:{value.minute:02d}"
    if isinstance(value, dt.date):
        return date_text(value, "slash")
    return str(value)


# ---------------------------------------------------------------------------------------------------
# 観光部: 観光入込客数, the statistics office's wide workbook (one sheet per fiscal year).

FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
# Share of the year's visitors by month, April first: Golden Week, summer, autumn, 初詣 in January.
MONTH_SHARES = (0.085, 0.095, 0.07, 0.085, 0.12, 0.075, 0.085, 0.09, 0.065, 0.11, 0.055, 0.065)
NOT_SURVEYED = "－"
SMALL_TOWN = 300  # thousand visitors a year: small towns skip some monthly surveys


def monthly_visitors(rng: random.Random, municipality: Municipality, scale: float) -> list[int | str]:
    """Twelve months, April to March: mostly numbers, a few typed as "12,345", a few not surveyed."""
    values: list[int | str] = []
    for share in MONTH_SHARES:
        count = round(municipality.area.visitors * 1000 * scale * share * rng.uniform(0.9, 1.1))
        draw = rng.random()
        if municipality.area.visitors <= SMALL_TOWN and draw < 0.08:
            values.append(NOT_SURVEYED)
        elif draw > 0.95:
            values.append(f"{count:,}")
        else:
            values.append(count)
    return values


def _count(value: int | str) -> int:
    return 0 if value == NOT_SURVEYED else int(str(value).replace(",", ""))


def visitors_sheet(
    book: Workbook, rng: random.Random, municipalities: list[Municipality], era_year: int, scale: float
) -> None:
    fiscal_year = f"令和{era_year}年度"
    sheet = book.create_sheet(fiscal_year)
    sheet.append([f"{fiscal_year} 観光入込客数（月別・市町別）"])
    sheet.append([*[None] * 13, "（単位：人）"])
    # Two header rows: 市町名 and 合計 beside a merged 令和6年度 that stands over the months.
    sheet.append(["市町名", fiscal_year, *[None] * 11, "合計"])
    sheet.append([None, *(f"{month}月" for month in FISCAL_MONTHS), None])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:M3")
    sheet["A1"].font = Font(bold=True, size=14)
    totals = [0] * 12
    for municipality in municipalities:
        values = monthly_visitors(rng, municipality, scale)
        counts = [_count(value) for value in values]
        totals = [total + count for total, count in zip(totals, counts, strict=True)]
        sheet.append([municipality.name, *values, sum(counts)])
    sheet.append(["県計", *totals, sum(totals)])
    sheet.append(["※「－」は調査を実施していないことを示す。"])
    sheet.append(["※観光レクリエーション入込客数推計書（三重県観光部）による。"])


def write_visitors(folder: Path, municipalities: list[Municipality]) -> None:
    rng = random.Random("tourist-visitors")
    book = Workbook()
    book.remove(book.active)
    visitors_sheet(book, rng, municipalities, 5, 0.96)
    visitors_sheet(book, rng, municipalities, 6, 1.0)
    save_workbook(book, folder / "観光入込客数_令和5-6年度.xlsx")


# ---------------------------------------------------------------------------------------------------
# 農林水産部: 豚熱 野生いのしし 検査結果.

BOAR_COLUMNS = ["検体番号", "捕獲年月日", "市町名", "緯度", "経度", "検査結果", "検査年月日", "備考"]
# Catches by municipality: none on the reclaimed coast, most in the hills.
BOAR_WEIGHTS = {"木曽岬町": 0, "朝日町": 0, "川越町": 0, "津市": 3, "松阪市": 3, "伊賀市": 3, "亀山市": 3, "いなべ市": 3, "大台町": 3, "大紀町": 3, "熊野市": 3, "紀北町": 3}  # fmt: skip
BOAR_NOTES = (
    "くくりわな",
    "箱わな",
    "銃猟",
    "死亡個体",
    "死亡個体（交通事故）",
    "①くくりわな ②止め刺し後搬入",
    "㈱髙山獣医科にて採材",
)
DATE_STYLES = ("kanji", "letter", "slash")


def boar_specimens(rng: random.Random, municipalities: list[Municipality], count: int) -> list[dict[str, str]]:
    """Specimens R6-0001 … in order of capture over fiscal 2024, each entered in one of three date styles."""
    weights = [BOAR_WEIGHTS.get(municipality.name, 1) for municipality in municipalities]
    captures = sorted(FISCAL_2024 + dt.timedelta(days=rng.randrange(365)) for _ in range(count))
    rows = []
    for number, caught in enumerate(captures, 1):
        municipality = rng.choices(municipalities, weights)[0]
        lat, lon = spot(rng, municipality)
        has_point = rng.random() < 0.85
        result = "陽性" if rng.random() < 0.06 else "陰性"
        tested = caught + dt.timedelta(days=rng.randint(1, 10))
        rows.append(
            {
                "検体番号": f"R6-{number:04d}",
                "捕獲年月日": date_text(caught, rng.choice(DATE_STYLES)),
                "市町名": municipality.district + municipality.name if rng.random() < 0.5 else municipality.name,
                "緯度": f"{lat:.5f}" if has_point else "",
                "経度": f"{lon:.5f}" if has_point else "",
                # A trailing space, half- or full-width, left by copy and paste.
                "検査結果": result + rng.choice(("", "", "", "", " ", "　")),
                "検査年月日": date_text(tested, rng.choice(DATE_STYLES)),
                "備考": rng.choice(BOAR_NOTES) if rng.random() < 0.3 else "",
            }
        )
    return rows


def write_boar(folder: Path, municipalities: list[Municipality]) -> None:
    rows = boar_specimens(random.Random("csf-wild-boar"), municipalities, 3000)
    write_csv(folder / "豚熱検査結果_令和6年度.csv", BOAR_COLUMNS, _values(rows, BOAR_COLUMNS), "cp932")


def write_boar_rejected(folder: Path, municipalities: list[Municipality]) -> None:
    """A batch returned to the 農林事務所 for correction."""
    rows = boar_specimens(random.Random("csf-wild-boar-returned"), municipalities, 150)
    rows[8]["市町名"] = "名古屋市"
    rows[33]["捕獲年月日"], rows[33]["検査年月日"] = "令和6年6月12日", "R6.6.2"  # a dropped "1"
    rows[61]["検査結果"] = "擬陽性"
    rows[97]["捕獲年月日"] = "令和6年2月30日"
    rows[120]["検査年月日"] = "平成32年1月1日"  # the old era, out of habit
    write_csv(folder / "豚熱検査結果_差し戻し.csv", BOAR_COLUMNS, _values(rows, BOAR_COLUMNS), "cp932")


# ---------------------------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):  # `--help` is a request, not a folder to fill
        print("usage: python scripts/make_samples.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    municipalities = load_municipalities()
    write_evacuation_sites(out / "disaster-prevention", municipalities)
    write_evacuation_sites_rejected(out / "disaster-prevention", municipalities)
    write_facilities(out / "tourism", municipalities)
    write_facilities_rejected(out / "tourism", municipalities)
    write_visitors(out / "tourism", municipalities)
    write_boar(out / "agriculture", municipalities)
    write_boar_rejected(out / "agriculture", municipalities)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
