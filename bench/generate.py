"""Full-size EPEAT exports whose shapes follow the real sample.

Each generated product copies a real row of the July 2024 sample (its identifier lists, names,
tiers, scores, dates and Climate+ flags, so list lengths and value mixes are the real ones),
gets its own Id, and is registered in every one of 43 countries.
"""

import csv
import uuid
from pathlib import Path

from openpyxl import Workbook

SAMPLE = Path(__file__).resolve().parent.parent / "tests/fixtures/epeat/epeat_export_computers-displays_india_hp-dell-asus-lenovo_2024-07.csv"
COUNTRIES = [
    "Argentina", "Australia", "Austria", "Belgium", "Brazil", "Canada", "Chile", "China", "Czechia", "Denmark",
    "Finland", "France", "Germany", "Greece", "Hong Kong", "Hungary", "India", "Ireland", "Israel", "Italy", "Japan",
    "Korea, Republic of", "Luxembourg", "Malaysia", "Mexico", "Netherlands", "New Zealand", "Norway", "Poland",
    "Portugal", "Singapore", "Slovakia", "South Africa", "Spain", "Sweden", "Switzerland", "Taiwan", "Thailand",
    "Turkey", "United Arab Emirates", "United Kingdom", "United States", "Viet Nam",
]


def epeat_export(path: Path, rows: int = 250_000) -> Path:
    """Write an .xlsx export of `rows` product × country rows (products = rows / 43)."""
    with SAMPLE.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        templates = list(reader)
    country_at = header.index("Registered In")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Products")
    sheet.append(header)
    written, product = 0, 0
    while written < rows:
        template = list(templates[product % len(templates)])
        template[0] = uuid.UUID(int=product).hex
        template[1] = f"{template[1]} #{product // len(templates)}"
        for country in COUNTRIES[: min(len(COUNTRIES), rows - written)]:
            template[country_at] = country
            sheet.append(template)
            written += 1
        product += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
