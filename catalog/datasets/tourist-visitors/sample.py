"""Demo submissions: 観光入込客数: the statistics office's wide workbook."""

import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from transforms.samples import Municipality, save_workbook

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


# What `odl check` says of each file written: its rows when accepted, one error code per planted mistake when not.
EXPECTED: dict[str, dict[str, object]] = {
    "観光入込客数_令和5-6年度.xlsx": {"rows": 2 * 29 * 12},
}


def write_samples(folder: Path, municipalities: list[Municipality]) -> None:
    write_visitors(folder, municipalities)
