"""Text from the web, made safe for where a person reads it: a terminal, a spreadsheet. Scraped
names may hold escape sequences (a window title, a clipboard write), Rich markup, spreadsheet
formulas or characters an .xlsx cannot store."""

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab and newline
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what openpyxl refuses (IllegalCharacterError)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """Control characters (ESC, BEL, C1) shown as `\\x1b`, so a terminal never acts on them."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def spreadsheet_cell(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV
    injection); anything else is returned as it is."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def xlsx_text(value):
    """Text an .xlsx can store: characters it cannot are replaced by U+FFFD."""
    return _XLSX_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value
