"""Demo submissions: 三重県の推計人口 as the statistics office keeps it, one sheet per month (毎月1日現在)."""

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from transforms.samples import Municipality, save_workbook

FIRST_MONTH = dt.date(2023, 4, 1)
HOUSEHOLD_GROWTH = 0.8  # % a year above the population's: fewer people per household every year
NOTES = (
    "※推計人口は、令和2年国勢調査の確定値を基に、住民基本台帳による毎月の出生・死亡・転入・転出の数を加減して推計したものです。",
    "※人口増減は前月1日現在との差で、▲は減少を示します。",
    "資料：三重県戦略企画部統計課「月別人口調査」",
)


@dataclass
class Estimate:
    """One 市町 on the 1st of one month."""

    municipality: Municipality
    households: int
    population: int
    male: int
    change: int  # since the 1st of the month before

    @property
    def female(self) -> int:
        return self.population - self.male


def months_from(first: dt.date, count: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1) for n in range(count)]


def estimates(
    rng: random.Random, municipalities: list[Municipality], months: list[dt.date]
) -> dict[dt.date, list[Estimate]]:
    """Each month's estimate per 市町: a steady trend from April 2023 with a little monthly noise."""
    found: dict[dt.date, list[Estimate]] = {month: [] for month in months}
    for municipality in municipalities:
        population, households, male_share, rate = municipality.area.residents
        previous = None
        for month in months:
            years = (month.year - FIRST_MONTH.year) + (month.month - FIRST_MONTH.month) / 12
            people = round(population * (1 + rate / 100) ** years * (1 + rng.uniform(-4e-4, 4e-4)))
            homes = round(households * (1 + (rate + HOUSEHOLD_GROWTH) / 100) ** years * (1 + rng.uniform(-6e-4, 6e-4)))
            male = round(people * male_share * (1 + rng.uniform(-5e-4, 5e-4)))
            change = people - previous if previous is not None else round(people * rate / 1200)
            found[month].append(Estimate(municipality, homes, people, male, change))
            previous = people
    return found


def era_month(month: dt.date) -> str:
    """令和6年10月."""
    return f"令和{month.year - 2018}年{month.month}月"


def count_cell(rng: random.Random, value: int) -> int | str:
    """Mostly numbers; now and then typed as text with separators, rarely in full-width digits."""
    draw = rng.random()
    if draw < 0.01:
        return f"{value:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    if draw < 0.05:
        return f"{value:,}"
    return value


def change_cell(change: int) -> str | int:
    """人口増減 as the office writes it: ▲ for a decrease."""
    return f"▲{-change:,}" if change < 0 else change


def display_name(name: str) -> str:
    """Two-character names padded to line up in the printed table: 津　市."""
    return f"{name[0]}　{name[1]}" if len(name) == 2 else name


def month_rows(rng: random.Random, month_estimates: list[Estimate]) -> list[list[object]]:
    """県計, 市部計, the 市, 郡部計, the 町: each row 市町名, 世帯数, 総数, 男, 女, 人口増減."""

    def total(label: str, group: list[Estimate]) -> list[object]:
        return [
            label,
            sum(e.households for e in group),
            sum(e.population for e in group),
            sum(e.male for e in group),
            sum(e.female for e in group),
            change_cell(sum(e.change for e in group)),
        ]

    def row(e: Estimate) -> list[object]:
        counts = [count_cell(rng, value) for value in (e.households, e.population, e.male, e.female)]
        return [display_name(e.municipality.name), *counts, change_cell(e.change)]

    cities = [e for e in month_estimates if e.municipality.is_city]
    towns = [e for e in month_estimates if not e.municipality.is_city]
    return [
        total("県　計", month_estimates),
        total("市部計", cities),
        *map(row, cities),
        total("郡部計", towns),
        *map(row, towns),
    ]


def population_sheet(book: Workbook, name: str, month: dt.date, rows: list[list[object]]) -> None:
    sheet = book.create_sheet(name)
    sheet.append([f"三重県の推計人口　{era_month(month)}1日現在"])
    sheet.append([*[None] * 5, "（単位：世帯、人）"])
    # 市町名, 世帯数 and 人口増減 merged down two rows; 人口 merged across 総数・男・女.
    sheet.append(["市町名", "世帯数", "人口", None, None, "人口増減"])
    sheet.append([None, None, "総数", "男", "女", None])
    for merged in ("A3:A4", "B3:B4", "C3:E3", "F3:F4"):
        sheet.merge_cells(merged)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["C3"].alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    for note in NOTES:
        sheet.append([note])


def sheet_name(month: dt.date) -> str:
    """R6.10; the January 2024 sheet kept the name it was given when copied: the month is only in its title."""
    return "1月" if month == dt.date(2024, 1, 1) else f"R{month.year - 2018}.{month.month}"


def write_population(path: Path, municipalities: list[Municipality], months: list[dt.date], seed: str) -> None:
    rng = random.Random(seed)
    book = Workbook()
    book.remove(book.active)
    for month, found in estimates(rng, municipalities, months).items():
        population_sheet(book, sheet_name(month), month, month_rows(rng, found))
    save_workbook(book, path)


def swapped_digits(value: int) -> int:
    """Two neighbouring digits typed the wrong way round (the last pair that differ): 96667 → 96676."""
    digits = str(value)
    i = max(i for i in range(len(digits) - 1) if digits[i] != digits[i + 1])
    return int(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])


def write_population_rejected(folder: Path, municipalities: list[Municipality]) -> None:
    """令和6年度's workbook returned to the statistics office: five slips over five months."""
    rng = random.Random("population-by-municipality-returned")
    months = months_from(dt.date(2024, 4, 1), 12)
    book = Workbook()
    book.remove(book.active)
    for month, found in estimates(rng, municipalities, months).items():
        rows = month_rows(rng, found)
        named = {str(row[0]).replace("　", ""): row for row in rows}
        truth = {e.municipality.name: e for e in found}
        if month == dt.date(2024, 6, 1):
            named["松阪市"][0] = "松坂市"  # 阪 and 坂, the classic slip
        elif month == dt.date(2024, 8, 1):
            rows.insert(rows.index(named["津市"]) + 1, list(named["津市"]))  # pasted twice
        elif month == dt.date(2024, 11, 1):
            households = truth["四日市市"].households
            named["四日市市"][1] = f"{households // 10_000},{households % 10_000:04d}"  # the comma one place off
        elif month == dt.date(2025, 1, 1):
            named["鈴鹿市"][4] = swapped_digits(truth["鈴鹿市"].female)
        elif month == dt.date(2025, 3, 1):
            named["木曽岬町"][1] = "－"  # the town had not reported yet
        population_sheet(book, sheet_name(month), month, rows)
    save_workbook(book, folder / "三重県の推計人口_令和6年度_差し戻し.xlsx")


ACCEPTED = "三重県の推計人口_令和5-6年度.xlsx"
MONTHS = months_from(FIRST_MONTH, 24)  # 令和5年4月 – 令和7年3月, as far as the 観光入込客数 go

# What `odl check` says of each file written: its rows when accepted, one error code per planted mistake when not.
EXPECTED: dict[str, dict[str, object]] = {
    ACCEPTED: {"rows": 24 * 29},
    "三重県の推計人口_令和6年度_差し戻し.xlsx": {
        "errors": [
            "unknown_municipality",
            "duplicate_key",
            "invalid_integer",
            "total_mismatch",
            "required_value_missing",
        ]
    },
}


def write_samples(folder: Path, municipalities: list[Municipality]) -> None:
    write_population(folder / ACCEPTED, municipalities, MONTHS, "population-by-municipality")
    write_population_rejected(folder, municipalities)
