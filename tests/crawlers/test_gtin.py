import pytest

from crawlers.gtin import check_digit, to_gtin14


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("04995047067368", "04995047067368"),  # GTIN-14 from the TCO GTIN API sample
        ("195553690843", "00195553690843"),  # UPC-A from the EPEAT export sample
        ("4250851617896", "04250851617896"),  # EAN-13 of the Fairphone 4 offer sample
        ("96385074", "00000096385074"),  # GTIN-8
        ("4250851-617896", "04250851617896"),
        (4250851617896, "04250851617896"),
    ],
)
def test_valid_gtins_become_gtin14(value, expected):
    assert to_gtin14(value) == expected


@pytest.mark.parametrize("value", ["4250851617897", "12345", "ABCDEFGHIJKLM", "", "095205068153 x", "123456789012345"])
def test_invalid_gtins_are_refused(value):
    assert to_gtin14(value) is None


def test_check_digit_matches_gs1_example():
    assert check_digit("629104150021") == 3
