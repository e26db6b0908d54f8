"""The pre-tender check as an XLSX file to attach to a tender: criteria, sources and crawl
dates first, then the qualifying models."""

from io import BytesIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboard.i18n import _
from store.text_safety import xlsx_text


def tender_workbook(
    title: str, criteria: list[tuple[str, str]], sources: list[tuple[str, str]], models: pd.DataFrame
) -> bytes:
    """One sheet: a title, `criteria` and `sources` as name/value rows, a blank row, then the
    table. Every text cell is stored as text, so a scraped name starting with '=' is never a
    formula, and characters an .xlsx cannot hold (control characters) become U+FFFD."""
    book = Workbook()
    sheet = book.active
    sheet.title = "pre-tender check"
    bold = Font(bold=True)

    def put(row: list) -> None:
        sheet.append([None if pd.isna(value) else xlsx_text(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"

    put([title])
    sheet.cell(row=1, column=1).font = bold
    for name, value in criteria:
        put([name, value])
    put([_("sources")])
    sheet.cell(row=sheet.max_row, column=1).font = bold
    for name, value in sources:
        put([name, value])
    put([])
    put(list(models.columns))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in models.itertuples(index=False):
        put(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()
