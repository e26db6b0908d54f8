"""Constructed EPEAT exports for tests: the real column set and value formats, invented rows."""

import io
from datetime import datetime

from openpyxl import Workbook

# The constructed export has 8 rows, one of them deliberately of an unmapped type ("other"):
# 12.5 % is above the category monitor's 10 % allowance, which is right for a real export.
SMALL_EXPORT = ["--set", 'LABELWATCH_MONITOR_MIN_SHARE={"category": 0.8}']

HEADER = [
    "Id",
    "Product Name",
    "Climate+",
    "Product Category",
    "Product Type",
    "Status",
    "Registered In",
    "Manufacturer",
    "Total Score",
    "EPEAT Tier",
    "Registered On",
    "Archived On",
    "Exceptions",
    "07SYS10-FQ1G-00",
    "European Article Number",
    "Global Trade Item Number",
    "Manufacturer Part Number",
    "Universal Product Code",
    "Zebra SKU",
]


def row(
    id_,
    name,
    country,
    *,
    tier="Gold",
    status="Active",
    archived="*",
    registered="4/30/2021 00:00:00",
    maker="ASUSTeK Computer Inc.",
    ptype="Notebook",
    climate="TRUE",
    score="36 of 44",
    upc="*",
    ean="*",
    mpn="*",
    junk="*",
    exceptions="*",
    category="Computers & Displays",
):
    return [
        id_,
        name,
        climate,
        category,
        ptype,
        status,
        country,
        maker,
        score,
        tier,
        registered,
        archived,
        exceptions,
        junk,
        ean,
        "*",
        mpn,
        upc,
        "*",
    ]


def multi_country_rows() -> list[list]:
    """Product A in 3 countries + archived in a 4th; B inactive; C Silver in Belgium only;
    D a Bronze desktop registered with an Excel date cell; E a type nobody mapped."""
    a = dict(upc="195553690843, 195553731348", ean="4250851617896", mpn="499W5UT, 499W6UT", junk="07SYS10")
    return [
        row("a" * 32, "ZenBook  14 (series: UX3402)", "Belgium", **a),
        row("a" * 32, "ZenBook  14 (series: UX3402)", "Germany", **a),
        row("a" * 32, "ZenBook  14 (series: UX3402)", "France", **a),
        row("a" * 32, "ZenBook  14 (series: UX3402)", "Netherlands", archived="6/30/2023 00:00:00", **a),
        row("b" * 32, "EliteBook 840 G6", "Belgium", maker="HP", status="Inactive", tier="Silver"),
        row(
            "c" * 32,
            "Latitude 5580",
            "Belgium",
            maker="DELL",
            tier="Silver",
            climate="FALSE",
            score="25 of 44",
            exceptions="Configurations that are not ENERGY STAR qualified do not meet required criterion 4.5.1.1.",
        ),
        row(
            "d" * 32,
            "ThinkCentre M70q",
            "Germany",
            maker="Lenovo",
            tier="Bronze",
            ptype="Desktop",
            registered=datetime(2024, 7, 8),
            upc="195553690844",
        ),
        row("e" * 32, "Wrist thing", "Belgium", maker="Lenovo", ptype="Wearable", category="Wearables"),
    ]


def to_xlsx(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
