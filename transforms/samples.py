"""What the demo's sample writers share: Mie's municipalities with places, and how people type things.

Each dataset folder's sample.py writes realistic, messy submissions (cp932 CSV from Excel, .xlsx
with title rows, 和暦, half-width kana, thousands separators): one file `odl check` accepts and,
per department, one rejected file holding the mistakes departments really make. Deterministic:
each file has its own seeded random.Random, nothing reads the clock or the network, and .xlsx
files carry fixed timestamps, so two runs write byte-identical files.
"""

import csv
import datetime as dt
import io
import random
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from transforms import settings
from transforms.contracts import SourceContract, load_code

PREFECTURE = "三重県"
# Stamped into the .xlsx properties and zip entries instead of the time of the run.
FIXED_TIME = dt.datetime(2024, 4, 1, 9, 0)
REIWA_START = dt.date(2019, 5, 1)
FISCAL_2024 = dt.date(2024, 4, 1)


# ---------------------------------------------------------------------------------------------------
# Municipalities: codes, names and 郡 from the catalog; places, phones, visitors and residents from here.


class Town(NamedTuple):
    name: str  # 地区 / 大字
    kana: str
    romaji: str


class Residents(NamedTuple):
    """推計人口 on 令和5年4月1日, roughly."""

    population: int
    households: int
    male_share: float  # 男の割合
    yearly_change: float  # 年間の人口増減率 (%): the coast and the south shrink fastest


class Area(NamedTuple):
    lat: float  # near the 役所/役場
    lon: float
    phone_prefix: str  # 市外局番
    romaji: str  # as in the municipality's web address
    visitors: int  # 年間観光入込客数, thousands
    residents: Residents
    towns: tuple[Town, ...]


def _towns(*triples: str) -> tuple[Town, ...]:
    return tuple(Town(*triple.split("/")) for triple in triples)


# Centres lie at least 0.05° inside Mie's box (緯度 33.70–35.30, 経度 135.80–137.00), more than spot() moves a point.
AREAS = {
    "242012": Area(34.719, 136.506, "059", "tsu", 5800, Residents(272_000, 124_500, 0.487, -0.6), _towns("丸之内/マルノウチ/Marunouchi", "一身田/イッシンデン/Isshinden", "久居/ヒサイ/Hisai", "河芸/カワゲ/Kawage", "香良洲/カラス/Karasu", "白山/ハクサン/Hakusan")),
    "242021": Area(34.965, 136.624, "059", "yokkaichi", 5600, Residents(309_500, 139_000, 0.498, -0.3), _towns("富田/トミダ/Tomida", "日永/ヒナガ/Hinaga", "四郷/ヨゴウ/Yogo", "羽津/ハヅ/Hazu", "楠/クス/Kusu", "川島/カワシマ/Kawashima")),
    "242039": Area(34.487, 136.709, "0596", "ise", 9800, Residents(121_500, 54_800, 0.475, -0.9), _towns("宇治/ウジ/Uji", "二見/フタミ/Futami", "小俣/オバタ/Obata", "御薗/ミソノ/Misono", "浜郷/ハマサト/Hamasato", "城田/キダ/Kida")),
    "242047": Area(34.578, 136.527, "0598", "matsusaka", 4200, Residents(157_500, 68_500, 0.481, -0.7), _towns("殿町/トノマチ/Tonomachi", "嬉野/ウレシノ/Ureshino", "三雲/ミクモ/Mikumo", "飯南/イイナン/Iinan", "飯高/イイタカ/Iitaka", "射和/イザワ/Izawa")),
    "242055": Area(35.062, 136.684, "0594", "kuwana", 14500, Residents(139_700, 60_500, 0.490, -0.3), _towns("長島/ナガシマ/Nagashima", "多度/タド/Tado", "大山田/オオヤマダ/Oyamada", "益生/マスオ/Masuo", "在良/アリヨシ/Ariyoshi")),
    "242071": Area(34.882, 136.584, "059", "suzuka", 4600, Residents(194_800, 86_000, 0.500, -0.4), _towns("神戸/カンベ/Kambe", "白子/シロコ/Shiroko", "平田/ヒラタ/Hirata", "加佐登/カサド/Kasado", "稲生/イノウ/Ino", "椿/ツバキ/Tsubaki")),
    "242080": Area(34.628, 136.109, "0595", "nabari", 1400, Residents(75_800, 33_500, 0.479, -1.0), _towns("桔梗が丘/キキョウガオカ/Kikyogaoka", "赤目/アカメ/Akame", "蔵持/クラモチ/Kuramochi", "百合が丘/ユリガオカ/Yurigaoka", "錦生/キンセイ/Kinsei")),
    "242098": Area(34.071, 136.191, "0597", "owase", 600, Residents(16_500, 8_700, 0.470, -2.0), _towns("矢浜/ヤノハマ/Yanohama", "九鬼/クキ/Kuki", "三木里/ミキサト/Mikisato", "賀田/カタ/Kata", "須賀利/スガリ/Sugari")),
    "242101": Area(34.856, 136.452, "0595", "kameyama", 1300, Residents(49_300, 22_000, 0.505, -0.2), _towns("関/セキ/Seki", "井田川/イダガワ/Idagawa", "川崎/カワサキ/Kawasaki", "野登/ノボリ/Nobori", "昼生/ヒルオ/Hiruo")),
    "242110": Area(34.481, 136.843, "0599", "toba", 4300, Residents(16_900, 7_600, 0.476, -2.2), _towns("答志/トウシ/Toshi", "菅島/スガシマ/Sugashima", "相差/オウサツ/Osatsu", "石鏡/イジカ/Ijika", "鳥羽/トバ/Toba")),
    "242128": Area(33.889, 136.100, "0597", "kumano", 1500, Residents(15_600, 8_000, 0.466, -2.0), _towns("木本/キノモト/Kinomoto", "有馬/アリマ/Arima", "紀和/キワ/Kiwa", "育生/イクセイ/Ikusei", "五郷/イサト/Isato")),
    "242144": Area(35.116, 136.561, "0594", "inabe", 1500, Residents(44_400, 17_600, 0.503, -0.6), _towns("北勢/ホクセイ/Hokusei", "員弁/イナベ/Inabe", "大安/ダイアン/Daian", "藤原/フジワラ/Fujiwara", "阿下喜/アゲキ/Ageki")),
    "242152": Area(34.328, 136.831, "0599", "shima", 3900, Residents(45_600, 20_400, 0.474, -1.9), _towns("鵜方/ウガタ/Ugata", "波切/ナキリ/Nakiri", "和具/ワグ/Wagu", "磯部/イソベ/Isobe", "浜島/ハマジマ/Hamajima", "賢島/カシコジマ/Kashikojima")),
    "242161": Area(34.769, 136.130, "0595", "iga", 2800, Residents(86_600, 38_900, 0.490, -1.1), _towns("上野/ウエノ/Ueno", "柘植/ツゲ/Tsuge", "島ヶ原/シマガハラ/Shimagahara", "阿山/アヤマ/Ayama", "青山/アオヤマ/Aoyama", "大山田/オオヤマダ/Oyamada")),
    "243035": Area(35.068, 136.732, "0567", "kisosaki", 150, Residents(5_900, 2_300, 0.510, -1.5), _towns("西対海地/ニシタイカイジ/Nishitaikaiji", "和富/ワトミ/Watomi", "源緑輪中/ゲンロクワジュウ/Genrokuwaju")),
    "243248": Area(35.077, 136.583, "0594", "toin", 400, Residents(25_400, 10_100, 0.487, -0.4), _towns("山田/ヤマダ/Yamada", "笹尾/ササオ/Sasao", "長深/ナガフケ/Nagafuke", "鳥取/トットリ/Tottori")),
    "243418": Area(35.020, 136.507, "059", "komono", 2600, Residents(40_300, 16_400, 0.492, -0.2), _towns("菰野/コモノ/Komono", "千草/チクサ/Chikusa", "竹永/タケナガ/Takenaga", "鵜川原/ウカワラ/Ukawara")),
    "243434": Area(35.035, 136.663, "059", "asahi", 100, Residents(11_200, 4_400, 0.494, 0.5), _towns("小向/オブケ/Obuke", "柿/カキ/Kaki", "縄生/ナオ/Nao")),
    "243442": Area(35.021, 136.673, "059", "kawagoe", 200, Residents(15_400, 6_600, 0.507, 0.3), _towns("豊田/トヨダ/Toyoda", "高松/タカマツ/Takamatsu", "亀須/カメズ/Kamezu")),
    "244414": Area(34.496, 136.546, "0598", "taki", 3000, Residents(14_100, 5_600, 0.484, -0.8), _towns("相可/オウカ/Oka", "勢和/セイワ/Seiwa", "丹生/ニュウ/Nyu", "五桂/ゴカツラ/Gokatsura")),
    "244422": Area(34.552, 136.619, "0596", "meiwa", 600, Residents(22_300, 8_900, 0.483, -0.4), _towns("斎宮/サイクウ/Saiku", "大淀/オイズ/Oizu", "上御糸/カミミイト/Kamimiito")),
    "244431": Area(34.392, 136.408, "0598", "odai", 500, Residents(8_500, 4_000, 0.472, -2.1), _towns("佐原/サハラ/Sahara", "栃原/トチハラ/Tochihara", "大杉/オオスギ/Osugi")),
    "244619": Area(34.486, 136.632, "0596", "tamaki", 400, Residents(15_100, 5_900, 0.488, -0.3), _towns("田丸/タマル/Tamaru", "有田/アリタ/Arita", "下外城田/シモトキダ/Shimotokida")),
    "244708": Area(34.436, 136.626, "0596", "watarai", 300, Residents(7_900, 3_100, 0.485, -1.6), _towns("棚橋/タナハシ/Tanahashi", "内城田/ウチキダ/Uchikida", "一之瀬/イチノセ/Ichinose")),
    "244716": Area(34.357, 136.417, "0598", "taiki", 600, Residents(7_700, 3_800, 0.468, -2.5), _towns("滝原/タキハラ/Takihara", "錦/ニシキ/Nishiki", "柏野/カシワノ/Kashiwano")),
    "244724": Area(34.352, 136.704, "0599", "minamiise", 800, Residents(10_800, 5_600, 0.465, -2.6), _towns("五ヶ所/ゴカショ/Gokasho", "南島/ナントウ/Nanto", "宿浦/シュクノウラ/Shukunoura")),
    "245437": Area(34.211, 136.337, "0597", "kihoku", 1000, Residents(14_900, 7_400, 0.467, -2.0), _towns("海山/ミヤマ/Miyama", "紀伊長島/キイナガシマ/Kiinagashima", "引本/ヒキモト/Hikimoto")),
    "245615": Area(33.813, 136.048, "05979", "mihama", 600, Residents(8_300, 3_900, 0.466, -1.7), _towns("阿田和/アタワ/Atawa", "尾呂志/オロシ/Oroshi", "神志山/コウシヤマ/Koshiyama")),
    "245623": Area(33.765, 136.008, "0735", "kiho", 300, Residents(10_700, 4_900, 0.470, -1.0), _towns("鵜殿/ウドノ/Udono", "井田/イダ/Ida", "神内/コウノウチ/Konouchi")),
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
    def lg_name(self) -> str:
        """As a 地方公共団体名 column writes it: 三重県多気町."""
        return f"{PREFECTURE}{self.name}"

    @property
    def site(self) -> str:
        """The municipality's web site."""
        return f"https://www.{'city' if self.is_city else 'town'}.{self.area.romaji}.mie.jp"


def sample_municipalities() -> list[Municipality]:
    """Mie's 29 市町 from the catalog, each with its demo Area (a different thing from reference.load_municipalities)."""
    with (settings.catalog_dir() / "mie-municipalities.csv").open(encoding="utf-8", newline="") as source:
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


def write_records_csv(
    path: Path, columns: Sequence[str], records: Iterable[Mapping[str, object]], encoding: str
) -> None:
    """Records (column → value) under a header of columns, each cell as Excel writes it to CSV."""
    write_csv(path, columns, [[csv_text(value) for value in row] for row in values(records, columns)], encoding)


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


def titled_workbook(
    sheet_title: str,
    titles: Sequence[Sequence[object]],
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    notes: Sequence[Sequence[object]],
) -> Workbook:
    """One sheet as an office keeps a list: title rows (the first in bold), a blank row, the table, then notes."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for title in titles:
        sheet.append(list(title))
    sheet.append([])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, header)
    for row in rows:
        append_row(sheet, row)
    for note in notes:
        sheet.append(list(note))
    return book


def write_titled_workbook(
    path: Path,
    sheet_title: str,
    titles: Sequence[Sequence[object]],
    columns: Sequence[str],
    records: Iterable[Mapping[str, object]],
    notes: Sequence[Sequence[object]],
) -> None:
    """A titled_workbook of records (column → value) under a header of columns, saved at path."""
    save_workbook(titled_workbook(sheet_title, titles, columns, values(records, columns), notes), path)


def append_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """A row with dates and times shown as a Japanese Excel shows them."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, dt.time):
            cell.number_format = "h:mm"
        elif isinstance(cell.value, dt.date):
            cell.number_format = "yyyy/m/d"


def values(records: Iterable[Mapping[str, object]], columns: Sequence[str]) -> list[list[object]]:
    """Each record's values under columns, in their order."""
    return [[record[column] for column in columns] for record in records]


def csv_text(value: object) -> str:
    """A cell as Excel writes it to CSV: 2023/4/1, 9:00, 34.71862."""
    if value is None:
        return ""
    if isinstance(value, dt.time):
        return f"{value.hour}:{value.minute:02d}"
    if isinstance(value, dt.date):
        return date_text(value, "slash")
    return str(value)


SAMPLE_FILE = "sample.py"


def sample_of(contract: SourceContract) -> ModuleType | None:
    """The dataset folder's sample writer: write_samples(folder, municipalities) and EXPECTED."""
    if not (contract.path.parent / SAMPLE_FILE).is_file():
        return None
    return load_code(contract.path.parent, SAMPLE_FILE)
