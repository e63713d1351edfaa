"""Deterministic large submissions for the benchmark (never committed: written under bench/work/)."""

import csv
import random
from pathlib import Path
from types import ModuleType

from transforms import samples
from transforms.contracts import load_source_contracts
from transforms.reference import load_municipalities


def demo_sample(dataset: str) -> ModuleType:
    """The dataset folder's sample.py (catalog/datasets/<dataset>/), whose columns and row makers the bench reuses."""
    module = samples.sample_of(load_source_contracts()[dataset])
    if module is None:
        raise RuntimeError(f"catalog/datasets/{dataset}/ has no {samples.SAMPLE_FILE}")
    return module


def write_csf_wild_boar(path: Path, rows: int, seed: int = 20261123, prefix: str = "R6") -> Path:
    """A cp932 CSV the way Excel saves it: 和暦 and 西暦 dates, names with and without 郡, CRLF.

    検体番号 are prefix-0000001 …: a distinct prefix makes a distinct submission (the end-to-end run's).
    The header is the demo sample's; the rows are simpler than its, so a million are written quickly.
    """
    header = ",".join(demo_sample("csf-wild-boar").BOAR_COLUMNS)
    rng = random.Random(seed)
    municipalities = load_municipalities().table
    names = [
        f"{d}{n}" if d and rng.random() < 0.5 else n
        for d, n in zip(municipalities["district"], municipalities["name"], strict=True)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="cp932", newline="") as out:
        out.write(header + "\r\n")
        for number in range(1, rows + 1):
            month, day = rng.randint(4, 12), rng.randint(1, 28)
            caught = f"令和6年{month}月{day}日" if number % 3 else f"2024/{month}/{day}"
            tested = f"R6.{month}.{min(day + rng.randint(0, 3), 28)}"
            lat, lon = f"{rng.uniform(33.8, 35.2):.5f}", f"{rng.uniform(135.9, 136.9):.5f}"
            result = "陽性" if rng.random() < 0.07 else "陰性"
            note = "わな捕獲" if number % 5 == 0 else ""
            out.write(f"{prefix}-{number:07d},{caught},{rng.choice(names)},{lat},{lon},{result},{tested},{note}\r\n")
    return path


def write_tourism_facilities(path: Path, rows: int, seed: int = 20240401) -> Path:
    """A cp932 CSV of 観光施設一覧 as Excel saves it, with the demo's realistic facilities.

    Rows go round the 29 市町, each numbering its own facilities (so 全国地方公共団体コード + ID is unique);
    each row is built by the dataset folder's sample.py (its helpers, private there, reused rather than
    copied: half-width kana, full-width phone digits, 和暦 and slash dates, Excel times, ① and ㈱ in
    notes, a few facilities without coordinates).
    """
    sample = demo_sample("tourism-facilities")
    rng = random.Random(seed)
    municipalities = samples.sample_municipalities()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="cp932", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(sample.FACILITY_COLUMNS)
        for index in range(rows):
            municipality = municipalities[index % len(municipalities)]
            town = rng.choice(municipality.area.towns)
            place = sample._local(town, rng.choice(sample.FACILITY_KINDS))
            row = sample.facility(rng, municipality, index // len(municipalities) + 1, town, place)
            writer.writerow([samples.csv_text(row[column]) for column in sample.FACILITY_COLUMNS])
    return path
