"""GTIN normalisation: any GTIN-8/12/13/14 to a zero-padded GTIN-14 with a valid check digit."""

import re
from functools import lru_cache

_NON_DIGITS = re.compile(r"[\s-]")


def check_digit(body: str) -> int:
    """GS1 mod-10 check digit for the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


@lru_cache(maxsize=1 << 18)
def to_gtin14(value: str | int) -> str | None:
    """GTIN-14 for a GTIN-8/12/13/14 (spaces and hyphens allowed), or None when the value
    is not a GTIN: wrong length, not digits, or a wrong check digit."""
    digits = _NON_DIGITS.sub("", str(value))
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        return None
    if check_digit(digits[:-1]) != int(digits[-1]):
        return None
    return digits.zfill(14)
