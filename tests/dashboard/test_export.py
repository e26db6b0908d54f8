"""The pre-tender XLSX: scraped text stored as text, whatever characters it holds."""

import io

import pandas as pd
from openpyxl import load_workbook

from dashboard.export import tender_workbook


def test_control_characters_and_formulas_in_names_still_give_a_workbook():
    models = pd.DataFrame(
        {"brand": ["Acer", "=cmd|' /C calc'!A0"], "model": ["CB272\x1b]0;x\x07 E", "V247Y"], "models": [1, 2]}
    )
    body = tender_workbook("check", [("category", "display\x00")], [("TCO Certified", "run 3")], models)
    sheet = load_workbook(io.BytesIO(body)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1] == ["category", "display\ufffd", None]
    assert rows[-2:] == [["Acer", "CB272\ufffd]0;x\ufffd E", 1], ["=cmd|' /C calc'!A0", "V247Y", 2]]
    assert sheet.cell(row=len(rows), column=1).data_type == "s"  # text, never a formula
