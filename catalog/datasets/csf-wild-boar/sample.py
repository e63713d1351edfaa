"""Demo submissions: 豚熱 検査結果 as the 農林事務所 send them."""

import datetime as dt
import random
from pathlib import Path

from transforms.samples import FISCAL_2024, Municipality, date_text, spot, write_records_csv

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
    write_records_csv(folder / "豚熱検査結果_令和6年度.csv", BOAR_COLUMNS, rows, "cp932")


def write_boar_rejected(folder: Path, municipalities: list[Municipality]) -> None:
    """A batch returned to the 農林事務所 for correction."""
    rows = boar_specimens(random.Random("csf-wild-boar-returned"), municipalities, 150)
    rows[8]["市町名"] = "名古屋市"
    rows[33]["捕獲年月日"], rows[33]["検査年月日"] = "令和6年6月12日", "R6.6.2"  # a dropped "1"
    rows[61]["検査結果"] = "擬陽性"
    rows[97]["捕獲年月日"] = "令和6年2月30日"
    rows[120]["検査年月日"] = "平成32年1月1日"  # the old era, out of habit
    write_records_csv(folder / "豚熱検査結果_差し戻し.csv", BOAR_COLUMNS, rows, "cp932")


# What `odl check` says of each file written: its rows when accepted, one error code per planted mistake when not.
EXPECTED: dict[str, dict[str, object]] = {
    "豚熱検査結果_令和6年度.csv": {"rows": 3000},
    "豚熱検査結果_差し戻し.csv": {
        "errors": ["unknown_municipality", "date_order", "invalid_choice", "impossible_date", "era_year_out_of_range"]
    },
}


def write_samples(folder: Path, municipalities: list[Municipality]) -> None:
    write_boar(folder, municipalities)
    write_boar_rejected(folder, municipalities)
