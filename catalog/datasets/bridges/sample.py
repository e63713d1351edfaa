"""Demo submissions: 県管理道路橋一覧 as the 道路管理課 keeps it, and a returned 点検結果 from a 建設事務所."""

import datetime as dt
import math
import random
from pathlib import Path

from openpyxl.styles import Alignment

from transforms.japanese.dates import ERAS
from transforms.samples import (
    HALF_KANA,
    Municipality,
    Town,
    save_workbook,
    spot,
    titled_workbook,
    values,
    write_records_csv,
)

CONTRACT_COLUMNS = ["橋梁ID", "橋梁名", "橋梁名_カナ", "路線名", "所在地", "緯度", "経度", "架設年度", "橋長", "幅員", "最新点検年度", "判定区分", "備考"]  # fmt: skip
# The register's own headings, in its own order: 管理番号 for 橋梁ID, units after 橋長 and 幅員.
REGISTER_HEADER = {"橋梁ID": "管理番号", "橋長": "橋長（m）", "幅員": "幅員（m）"}
REGISTER_ORDER = ["橋梁ID", "橋梁名", "橋梁名_カナ", "所在地", "路線名", "架設年度", "橋長", "幅員", "緯度", "経度", "最新点検年度", "判定区分", "備考"]  # fmt: skip
# The register's title rows (the department on the right) and the ※ notes under it, after a blank row.
REGISTER_TITLES: list[list[object]] = [
    ["三重県管理道路橋一覧（令和6年度末現在）"],
    [*[None] * 11, "三重県県土整備部道路管理課"],
    ["（橋長・幅員の単位：m）"],
]
REGISTER_NOTES = [
    [],
    ["※判定区分は道路橋定期点検要領による健全性の診断（Ⅰ健全、Ⅱ予防保全段階、Ⅲ早期措置段階、Ⅳ緊急措置段階）。"],
    ["※架設年度が分からない橋梁は「不明」としている。"],
]
RIVERS = ("宮川/ミヤガワ", "櫛田川/クシダガワ", "雲出川/クモズガワ", "鈴鹿川/スズカガワ", "員弁川/イナベガワ", "木津川/キヅガワ", "名張川/ナバリガワ", "安濃川/アノウガワ", "五十鈴川/イスズガワ", "三滝川/ミタキガワ", "銚子川/チョウシガワ", "熊野川/クマノガワ")  # fmt: skip
NATIONAL_ROUTES = ("国道260号", "国道306号", "国道311号", "国道365号", "国道368号", "国道422号", "国道477号")
NOTES = ("歩道橋併設", "令和4年度 補修済", "床版補修予定", "①上部工 ②下部工 補修済", "㈱髙田建設 施工", "旧道")  # fmt: skip
# Grade as written: mostly Ⅱ, also 2, II, ２, ⅱ and with the stage named.
GRADE_FORMS = (("{roman}", 14), ("{digit}", 3), ("{ascii}", 2), ("{wide}", 1), ("{small}", 1), ("{roman}（{stage}）", 1))  # fmt: skip
GRADES = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ")
SMALL_GRADES = ("ⅰ", "ⅱ", "ⅲ", "ⅳ")
ASCII_GRADES = ("I", "II", "III", "IV")
STAGES = ("健全", "予防保全段階", "早期措置段階", "緊急措置段階")
LAST_FISCAL_YEAR = 2024  # 令和6年度末現在
YEAR_STYLES = ("kanji", "kanji", "letter", "western", "western", "western_nendo")


def era_year(year: int, style: str) -> str:
    """A 西暦 fiscal year as typed: 昭和45年度 (kanji), S45 (letter), 1970 (western) or 1970年度."""
    if style == "western":
        return str(year)
    if style == "western_nendo":
        return f"{year}年度"
    # The era of the year's end: 1926 is 昭和元年度, 2019 令和元年度 (both as registers write them).
    name, letter, first = next(era for era in reversed(ERAS) if era[2] <= dt.date(year, 12, 31))
    number = year - first.year + 1
    if style == "letter":
        return f"{letter}{number}"
    return f"{name}{'元' if number == 1 else number}年度"


def bridge_name(rng: random.Random, town: Town) -> tuple[str, str]:
    """A bridge's name and reading, after its 地区 or a river."""
    river, river_kana = rng.choice(RIVERS).split("/")
    number = rng.randint(1, 3)
    return rng.choice(
        (
            (f"{town.name}橋", f"{town.kana}バシ"),
            (f"{town.name}大橋", f"{town.kana}オオハシ"),
            (f"新{town.name}橋", f"シン{town.kana}バシ"),
            (f"{town.name}{number}号橋", f"{town.kana}{('イチ', 'ニ', 'サン')[number - 1]}ゴウキョウ"),
            (f"{river.removesuffix('川')}{town.name}橋", f"{river_kana.removesuffix('ガワ')}{town.kana}バシ"),
            (f"{town.name}跨線橋", f"{town.kana}コセンキョウ"),
        )
    )


def route_name(rng: random.Random, municipality: Municipality) -> str:
    """A 国道 the prefecture manages, or a 県道 named after two of the municipality's 地区."""
    if rng.random() < 0.3:
        return rng.choice(NATIONAL_ROUTES)
    first, second = rng.sample(municipality.area.towns, 2)
    return f"{rng.choice(('主要地方道', '一般県道'))} {first.name}{second.name}線"


def grade_of(rng: random.Random, built: int | None) -> int:
    """0–3 for Ⅰ–Ⅳ: older bridges are in worse shape."""
    old = built is None or built < 1975
    weights = (20, 60, 19, 1) if old else (55, 40, 5, 0)
    return rng.choices(range(4), weights)[0]


def grade_text(rng: random.Random, grade: int) -> str:
    form = rng.choices([form for form, _ in GRADE_FORMS], [weight for _, weight in GRADE_FORMS])[0]
    return form.format(
        roman=GRADES[grade],
        digit=grade + 1,
        ascii=ASCII_GRADES[grade],
        wide=chr(ord("１") + grade),
        small=SMALL_GRADES[grade],
        stage=STAGES[grade],
    )


def built_year(rng: random.Random) -> int | None:
    """Mostly the 高度成長 decades; a few pre-war bridges, a few recent ones, some nobody recorded."""
    draw = rng.random()
    if draw < 0.05:
        return None
    if draw < 0.11:
        return rng.randint(1915, 1944)
    if draw < 0.88:
        return rng.randint(1955, 1994)
    return rng.randint(1995, 2022)


def bridges(rng: random.Random, municipalities: list[Municipality], count: int) -> list[dict[str, object]]:
    """The register's rows under contract names, values as a person enters them (numbers as numbers)."""
    weights = [3 if municipality.is_city else 1 for municipality in municipalities]
    rows: list[dict[str, object]] = []
    for number in range(1, count + 1):
        municipality = rng.choices(municipalities, weights)[0]
        town = rng.choice(municipality.area.towns)
        name, kana = bridge_name(rng, town)
        built = built_year(rng)
        inspected = rng.randint(max(2020, built or 0), LAST_FISCAL_YEAR)
        grade = grade_of(rng, built)
        lat, lon = spot(rng, municipality)
        has_point = rng.random() < 0.95
        length = round(min(max(rng.lognormvariate(math.log(25), 0.9), 2.0), 850.0), 1)
        rows.append(
            {
                "橋梁ID": f"{municipality.code[2:5]}-{number:04d}",
                "橋梁名": name + ("　" if rng.random() < 0.03 else ""),  # a space left after the name
                # Some readings typed in half-width kana (Excel's ASC()).
                "橋梁名_カナ": kana.translate(HALF_KANA) if rng.random() < 0.15 else kana,
                "路線名": route_name(rng, municipality),
                "所在地": municipality.district + municipality.name if rng.random() < 0.3 else municipality.name,
                "緯度": lat if has_point else None,
                "経度": lon if has_point else None,
                "架設年度": rng.choice(("不明", "不明", "－", None)) if built is None else _year(rng, built),
                "橋長": length,
                "幅員": round(rng.uniform(4.0, 22.0), 1) if rng.random() < 0.9 else None,
                "最新点検年度": _year(rng, inspected),
                "判定区分": _number_or_text(grade_text(rng, grade)),
                "備考": "通行止め（架替え予定）" if grade == 3 else rng.choice(NOTES) if rng.random() < 0.2 else None,
            }
        )
    return rows


def _year(rng: random.Random, year: int) -> object:
    return _number_or_text(era_year(year, rng.choice(YEAR_STYLES)))


def _number_or_text(text: str) -> object:
    """Digits typed into Excel are kept as a number (1970, 2); anything else as text."""
    return int(text) if text.isascii() and text.isdigit() else text


def write_register(folder: Path, municipalities: list[Municipality]) -> None:
    """The 道路管理課's workbook: title rows, the register, ※ notes under it."""
    rows = values(bridges(random.Random("bridges"), municipalities, 400), REGISTER_ORDER)
    header = [REGISTER_HEADER.get(column, column) for column in REGISTER_ORDER]
    book = titled_workbook("道路橋一覧", REGISTER_TITLES, header, rows, REGISTER_NOTES)
    sheet = book.active
    sheet["L2"].alignment = Alignment(horizontal="right")
    for column, width in zip("ABCDEFGHIJKLM", (10, 18, 22, 12, 26, 11, 9, 9, 11, 11, 12, 9, 28), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A6"
    save_workbook(book, folder / "道路橋一覧_令和6年度末.xlsx")


def write_returned(folder: Path, municipalities: list[Municipality]) -> None:
    """A 建設事務所's inspection results, saved from Excel as CSV, returned for correction."""
    rows = bridges(random.Random("bridges-returned"), municipalities, 120)
    rows[10]["架設年度"] = "昭和40年代"  # a guess, not a year
    rows[35]["最新点検年度"] = "平成32年度"  # the old era, out of habit
    rows[58]["架設年度"], rows[58]["最新点検年度"] = "令和2年度", "H30"  # the inspection of the bridge it replaced
    rows[77]["判定区分"] = "Ⅱ～Ⅲ"  # undecided between two grades
    rows[101]["緯度"], rows[101]["経度"] = rows[101]["経度"] or 136.5, rows[101]["緯度"] or 34.7
    write_records_csv(folder / "橋梁点検結果_差し戻し.csv", CONTRACT_COLUMNS, rows, "cp932")


# What `odl check` says of each file written: its rows when accepted, one error code per planted mistake when not.
EXPECTED: dict[str, dict[str, object]] = {
    "道路橋一覧_令和6年度末.xlsx": {"rows": 400},
    "橋梁点検結果_差し戻し.csv": {
        "errors": [
            "invalid_fiscal_year",
            "era_year_out_of_range",
            "inspection_before_construction",
            "invalid_choice",
            "coordinates_swapped",
        ]
    },
}


def write_samples(folder: Path, municipalities: list[Municipality]) -> None:
    write_register(folder, municipalities)
    write_returned(folder, municipalities)
