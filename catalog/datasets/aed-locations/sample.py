"""Demo submissions: AED設置箇所一覧 as 医療保健部 keeps it, gathered from the 市町."""

import datetime as dt
import random
from pathlib import Path
from typing import NamedTuple

from transforms.samples import (
    FULL_WIDTH_DIGITS,
    HALF_KANA,
    PREFECTURE,
    Municipality,
    Town,
    address,
    phone,
    spot,
    write_records_csv,
    write_titled_workbook,
)

# What the AED is, where it is, whom to call, when it can be used, and the rest.
AED_COLUMNS = [
    "全国地方公共団体コード", "ID", "地方公共団体名", "名称", "名称_カナ", "名称_英字",
    "所在地_連結表記", "所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下", "建物名", "緯度", "経度", "設置位置",
    "電話番号", "内線番号", "連絡先メールアドレス", "連絡先FAX番号",
    "利用可能曜日", "開始時間", "終了時間", "利用可能日時特記事項",
    "小児対応設備の有無", "写真", "写真のライセンス", "備考", "URL",
]  # fmt: skip


class Hours(NamedTuple):
    days: tuple[str, ...]  # 利用可能曜日 as different clerks write it
    start: tuple[int, int]
    end: tuple[int, int]  # (24, 0): until midnight
    note: str


OFFICE = Hours(("月火水木金", "月～金"), (8, 30), (17, 15), "土日祝日、年末年始（12月29日～1月3日）は利用できません")
SCHOOL = Hours(("月火水木金", "月～金"), (8, 0), (17, 0), "授業日のみ。夏休みなど長期休業中は職員の在室時のみ")
HALL = Hours(("火水木金土日", "火～日"), (9, 0), (21, 0), "休館日（月曜日、祝日の場合は翌日）は利用できません")
DAYCARE = Hours(("月火水木金土", "月～土"), (7, 30), (18, 30), "日曜日・祝日は利用できません")
STATION = Hours(("月火水木金土日", "毎日"), (5, 30), (23, 30), "駅務室に申し出てください")
ALL_DAY = Hours(("月火水木金土日", "毎日"), (0, 0), (24, 0), "24時間利用できます")


class SiteKind(NamedTuple):
    name: str  # follows the 地区 name: 一身田公民館
    kana: str
    english: str
    hours: Hours
    placements: tuple[str, ...]  # 設置位置
    building: str  # 建物名, "" when the site is one building
    office: bool  # a 市町 office: extension, e-mail and fax to the section in charge
    children: bool  # children's pads always kept


SITE_KINDS = (
    SiteKind("支所", "シショ", "Branch Office", OFFICE, ("1階 正面玄関ホール", "1階 市民窓口横"), "本館", True, False),
    SiteKind("保健センター", "ホケンセンター", "Health Center", OFFICE, ("1階 受付カウンター横", "2階 健診室前"), "", True, True),
    SiteKind("公民館", "コウミンカン", "Community Hall", HALL, ("1階 事務室前", "玄関ホール"), "", False, False),
    SiteKind("体育館", "タイイクカン", "Gymnasium", HALL, ("管理事務室前", "アリーナ入口"), "", False, False),
    SiteKind("図書館", "トショカン", "Library", HALL, ("1階 カウンター横", "入口風除室"), "", False, False),
    SiteKind("小学校", "ショウガッコウ", "Elementary School", SCHOOL, ("職員室前", "体育館入口", "1階 昇降口"), "", False, True),
    SiteKind("中学校", "チュウガッコウ", "Junior High School", SCHOOL, ("職員室前", "体育館入口"), "", False, True),
    SiteKind("保育園", "ホイクエン", "Nursery School", DAYCARE, ("事務室", "玄関"), "", False, True),
    SiteKind("老人福祉センター", "ロウジンフクシセンター", "Senior Welfare Center", OFFICE, ("1階 ロビー",), "", False, False),
    SiteKind("運動公園", "ウンドウコウエン", "Sports Park", HALL, ("管理棟 事務室前",), "管理棟", False, False),
    SiteKind("駅", "エキ", "Station", STATION, ("改札口横", "駅務室前"), "駅舎", False, False),
    SiteKind("消防分署", "ショウボウブンショ", "Fire Station Branch", ALL_DAY, ("正面入口 屋外収納ボックス",), "", False, True),
)  # fmt: skip
AED_NOTES = (
    "①成人用パッドは本体に収納 ②小児用パッドは職員室に保管",
    "リース：㈱髙橋メディカルサービス",
    "パッド交換 令和7年3月予定",
    "屋外の収納ボックス（施錠なし）",
    "施設の開いていない時間は利用できません",
    "髙田地区と共用",
)
PHOTO_LICENCES = ("CC BY 4.0", "CC BY 4.0", "CC-BY4.0", "クリエイティブ・コモンズ 表示 4.0 国際")
SITES_PER_CITY, SITES_PER_TOWN = 16, 8
# The accepted workbook's title rows and the ※ notes under its table.
WORKBOOK_TITLES = [["AED設置箇所一覧（県内市町の公共施設）"], ["三重県医療保健部医療政策課 令和6年4月1日現在"]]
WORKBOOK_NOTES = [
    ["※開始時間・終了時間は施設の開いている時間です。時間外は利用できない場合があります。"],
    ["※小児対応設備の有無：小児用パッドまたは小児用モードがあれば「有」。"],
]


def aed_locations(rng: random.Random, municipalities: list[Municipality]) -> list[dict[str, object]]:
    """AEDs of every municipality, numbered within it, as Python values for Excel cells; more in cities."""
    rows = []
    for municipality in municipalities:
        # Some 市町 fill the split address columns, others only the joined one.
        split_address = rng.random() < 0.7
        combos = [(town, kind) for town in municipality.area.towns for kind in SITE_KINDS]
        count = SITES_PER_CITY if municipality.is_city else SITES_PER_TOWN
        for number, (town, kind) in enumerate(rng.sample(combos, count), 1):
            rows.append(aed_location(rng, municipality, number, town, kind, split_address))
    return rows


def aed_location(
    rng: random.Random, municipality: Municipality, number: int, town: Town, kind: SiteKind, split_address: bool
) -> dict[str, object]:
    lat, lon = spot(rng, municipality)
    joined = address(rng, municipality, town)
    block = joined.removeprefix(municipality.full_name + town.name)
    building = kind.building if rng.random() < 0.5 else ""
    mail_domain = municipality.site.removeprefix("https://www.")
    tel = phone(rng, municipality)
    fax = phone(rng, municipality) if kind.office and rng.random() < 0.6 else ""
    kana = town.kana + kind.kana
    has_photo = rng.random() < 0.15
    return {
        # Excel keeps the code as a number: 242012.
        "全国地方公共団体コード": int(municipality.code),
        "ID": f"{number:04d}",
        "地方公共団体名": municipality.lg_name,
        "名称": town.name + kind.name,
        # Some clerks type kana half-width (ｺｳﾐﾝｶﾝ), as old systems required.
        "名称_カナ": kana.translate(HALF_KANA) if rng.random() < 0.25 else kana,
        "名称_英字": f"{town.romaji} {kind.english}" if rng.random() < 0.5 else "",
        "所在地_連結表記": f"{joined} {building}" if building else joined,
        "所在地_都道府県": PREFECTURE if split_address else "",
        "所在地_市区町村": municipality.district + municipality.name if split_address else "",
        "所在地_町字": town.name if split_address else "",
        "所在地_番地以下": block if split_address else "",
        "建物名": building,
        "緯度": lat,
        "経度": lon,
        "設置位置": rng.choice(kind.placements),
        "電話番号": tel.translate(FULL_WIDTH_DIGITS) if rng.random() < 0.06 else tel,
        "内線番号": str(rng.randint(200, 899)) if kind.office and rng.random() < 0.5 else "",
        "連絡先メールアドレス": f"kenko@{mail_domain}" if kind.office and rng.random() < 0.5 else "",
        "連絡先FAX番号": fax,
        "利用可能曜日": rng.choice(kind.hours.days),
        "開始時間": _clock(rng, *kind.hours.start),
        "終了時間": _clock(rng, *kind.hours.end),
        "利用可能日時特記事項": kind.hours.note if rng.random() < 0.8 else "",
        "小児対応設備の有無": "有" if kind.children else rng.choice(("有", "有", "無", "無", "")),
        "写真": f"{municipality.site}/kenko/aed/img/{number:04d}.jpg" if has_photo else "",
        "写真のライセンス": rng.choice(PHOTO_LICENCES) if has_photo else "",
        "備考": rng.choice(AED_NOTES) if rng.random() < 0.1 else "",
        "URL": f"{municipality.site}/kenko/aed/index.html" if rng.random() < 0.2 else "",
    }


def _clock(rng: random.Random, hour: int, minute: int) -> object:
    """An Excel time cell, or typed: 9:00, 9時, 8時30分, ９時 (24:00 and 0:00 are always typed)."""
    style = rng.choice(("cell", "cell", "colon", "colon", "kanji", "wide"))
    if style == "cell" and 0 < hour < 24:
        return dt.time(hour, minute)
    kanji = f"{hour}時" if minute == 0 else f"{hour}時{minute}分"
    if style == "kanji":
        return kanji
    if style == "wide":
        return kanji.translate(FULL_WIDTH_DIGITS)
    return f"{hour}:{minute:02d}"


def write_aed_locations(folder: Path, municipalities: list[Municipality]) -> None:
    """The prefecture's list as 医療政策課 keeps it: a workbook with a title and notes under the table."""
    rows = aed_locations(random.Random("aed-locations"), municipalities)
    path = folder / "AED設置箇所一覧_令和6年度.xlsx"
    write_titled_workbook(path, "AED設置箇所一覧", WORKBOOK_TITLES, AED_COLUMNS, rows, WORKBOOK_NOTES)


def write_aed_locations_rejected(folder: Path, municipalities: list[Municipality]) -> None:
    """An earlier draft saved as CSV from Excel, with the mistakes a review sends back."""
    rows = aed_locations(random.Random("aed-locations-draft"), municipalities)[:120]
    rows[14].update({"開始時間": "24時間", "終了時間": None})  # "open all day" typed into the time
    rows[37]["小児対応設備の有無"] = "あり"
    rows[58]["経度"] = str(rows[58]["経度"])[1:]  # the leading 1 lost: 36.5…
    rows[81]["設置位置"] = ""
    rows[103].update({"写真": r"\\fs01\kenko\AED写真\0104.jpg", "写真のライセンス": ""})  # a shared-drive path
    write_records_csv(folder / "AED設置箇所一覧_修正前.csv", AED_COLUMNS, rows, "cp932")


# What `odl check` says of each file written: its rows when accepted, one error code per planted mistake when not.
EXPECTED: dict[str, dict[str, object]] = {
    "AED設置箇所一覧_令和6年度.xlsx": {"rows": 14 * SITES_PER_CITY + 15 * SITES_PER_TOWN},  # 14 市, 15 町
    "AED設置箇所一覧_修正前.csv": {
        "errors": ["invalid_time", "invalid_choice", "coordinate_out_of_range", "required_value_missing", "invalid_url"]
    },
}


def write_samples(folder: Path, municipalities: list[Municipality]) -> None:
    write_aed_locations(folder, municipalities)
    write_aed_locations_rejected(folder, municipalities)
