"""Demo submissions: 観光施設一覧 as 観光部 keeps it."""

import datetime as dt
import random
from pathlib import Path
from typing import NamedTuple

from transforms.samples import (
    FULL_WIDTH_DIGITS,
    HALF_KANA,
    Municipality,
    Town,
    address,
    date_text,
    phone,
    spot,
    write_records_csv,
    write_titled_workbook,
)

FACILITY_COLUMNS = [
    "全国地方公共団体コード", "ID", "地方公共団体名", "名称", "名称_カナ", "名称_英語", "所在地_連結表記",
    "緯度", "経度", "利用可能曜日", "開始時間", "終了時間", "利用可能日時特記事項", "料金（基本）", "説明",
    "電話番号", "URL", "登録日", "備考",
]  # fmt: skip


class Place(NamedTuple):
    name: str  # a landmark's whole name, or what follows the 地区 name (観光案内所)
    kana: str
    english: str
    description: str
    staffed: bool = False  # open by the hour, with fees and a phone


FACILITY_KINDS = (
    Place("観光案内所", "カンコウアンナイジョ", "Tourist Information Center", "観光パンフレットの配布や周辺の案内を行っています。", staffed=True),
    Place("歴史資料館", "レキシシリョウカン", "History Museum", "地域の歴史や民俗資料を展示しています。", staffed=True),
    Place("郷土資料館", "キョウドシリョウカン", "Local Museum", "昔の農具や生活用品を展示しています。", staffed=True),
    Place("物産館", "ブッサンカン", "Local Products Shop", "地元の特産品や加工品を販売しています。", staffed=True),
    Place("農産物直売所", "ノウサンブツチョクバイジョ", "Farmers' Market", "朝採れの野菜や果物を販売しています。", staffed=True),
    Place("温泉", "オンセン", "Hot Spring", "日帰り入浴ができる天然温泉です。", staffed=True),
    Place("体験交流館", "タイケンコウリュウカン", "Hands-on Center", "伝統工芸や郷土料理の体験ができます。", staffed=True),
    Place("文化会館", "ブンカカイカン", "Cultural Hall", "季節ごとに企画展や催しを開いています。", staffed=True),
    Place("展望台", "テンボウダイ", "Observation Deck", "晴れた日には伊勢湾を一望できます。"),
    Place("ふれあい公園", "フレアイコウエン", "Fureai Park", "遊具や芝生広場のある公園です。"),
    Place("キャンプ場", "キャンプジョウ", "Campground", "川沿いのキャンプ場です。要予約。"),
    Place("ハイキングコース", "ハイキングコース", "Hiking Trail", "里山を巡る約5kmのコースです。"),
    Place("桜並木", "サクラナミキ", "Cherry Blossom Avenue", "春には約300本の桜が咲きます。"),
)  # fmt: skip
# Facilities per 市 and per 町, their landmarks included.
FACILITIES_PER_CITY, FACILITIES_PER_TOWN = 40, 16
# Well-known places, by municipality: (地区, place).
LANDMARKS = {
    "242012": [("丸之内", Place("津城跡", "ツジョウアト", "Tsu Castle Ruins", "藤堂高虎が改修した城の跡で、お城公園として親しまれています。"))],
    "242039": [("宇治", Place("伊勢神宮 内宮", "イセジングウ ナイクウ", "Ise Grand Shrine Naiku", "皇大神宮。五十鈴川のほとりに鎮まります。")), ("二見", Place("夫婦岩", "メオトイワ", "Meoto Iwa", "二見興玉神社の沖にある二つの岩で、夏至の頃には間から日が昇ります。"))],
    "242047": [("殿町", Place("松坂城跡", "マツサカジョウアト", "Matsusaka Castle Ruins", "蒲生氏郷が築いた城の跡で、石垣が残ります。"))],
    "242055": [("長島", Place("なばなの里", "ナバナノサト", "Nabana no Sato", "花と冬のイルミネーションで知られる施設です。", staffed=True))],
    "242071": [("稲生", Place("鈴鹿サーキット", "スズカサーキット", "Suzuka Circuit", "国際レーシングコースと遊園地があります。", staffed=True))],
    "242080": [("赤目", Place("赤目四十八滝", "アカメシジュウハチタキ", "Akame 48 Waterfalls", "渓谷沿いに大小の滝が続く景勝地です。", staffed=True))],
    "242101": [("関", Place("関宿", "セキジュク", "Sekijuku", "東海道の宿場町の町並みが残る重要伝統的建造物群保存地区です。"))],
    "242110": [("鳥羽", Place("鳥羽水族館", "トバスイゾクカン", "Toba Aquarium", "ジュゴンなど約1,200種の生きものを飼育しています。", staffed=True))],
    "242128": [("木本", Place("鬼ヶ城", "オニガジョウ", "Onigajo", "波の浸食でできた岩屋が連なる名勝です。")), ("紀和", Place("丸山千枚田", "マルヤマセンマイダ", "Maruyama Senmaida", "約1,340枚の棚田が広がる日本の棚田百選です。"))],
    "242152": [("鵜方", Place("横山展望台", "ヨコヤマテンボウダイ", "Yokoyama Observatory", "英虞湾のリアス海岸を見渡せます。"))],
    "242161": [("上野", Place("伊賀流忍者博物館", "イガリュウニンジャハクブツカン", "Iga-ryu Ninja Museum", "忍術の実演や忍者屋敷の見学ができます。", staffed=True))],
    "243418": [("菰野", Place("御在所ロープウエイ", "ゴザイショロープウエイ", "Gozaisho Ropeway", "湯の山温泉から御在所岳山頂付近へ登るロープウエイです。", staffed=True))],
    "244422": [("斎宮", Place("斎宮歴史博物館", "サイクウレキシハクブツカン", "Saiku Historical Museum", "国史跡斎宮跡の出土品や斎王の暮らしを紹介しています。", staffed=True))],
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
# The accepted workbook's title rows and the ※ notes under its table.
WORKBOOK_TITLES = [["観光施設一覧"], ["三重県観光部 令和6年4月1日現在"]]
WORKBOOK_NOTES = [
    ["※料金は令和6年4月1日現在の税込み価格です。"],
    ["※営業時間・休館日は変更になる場合があります。お出かけ前にご確認ください。"],
]


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
    return kind._replace(
        name=town.name + kind.name, kana=town.kana + kind.kana, english=f"{town.romaji} {kind.english}"
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
        "地方公共団体名": municipality.lg_name,
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
    path = folder / "観光施設一覧.xlsx"
    write_titled_workbook(path, "観光施設一覧", WORKBOOK_TITLES, FACILITY_COLUMNS, rows, WORKBOOK_NOTES)


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
    write_records_csv(folder / "観光施設一覧_追加分.csv", FACILITY_COLUMNS, rows, "utf-8-sig")


# What `odl check` says of each file written: its rows when accepted, one error code per planted mistake when not.
EXPECTED: dict[str, dict[str, object]] = {
    "観光施設一覧.xlsx": {"rows": 14 * FACILITIES_PER_CITY + 15 * FACILITIES_PER_TOWN},  # 14 市, 15 町
    "観光施設一覧_追加分.csv": {
        "errors": ["invalid_time", "lg_code_not_in_mie", "formula_like_text", "coordinates_incomplete"]
    },
}


def write_samples(folder: Path, municipalities: list[Municipality]) -> None:
    write_facilities(folder, municipalities)
    write_facilities_rejected(folder, municipalities)
