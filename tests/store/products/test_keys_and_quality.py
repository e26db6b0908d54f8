"""Model keys of real names, and the linker's precision and recall on the labelled real pairs."""

from pathlib import Path

import pytest

from store.products.keys import model_keys
from store.products.quality import PRECISION_TARGET, RECALL_TARGET, judge, measure

PAIRS = Path(__file__).parents[2] / "fixtures" / "products" / "labelled_pairs.csv"


@pytest.mark.parametrize(
    ("brand", "name", "keys"),
    [
        ("HP", "HP EliteBook 840 14 inch G10 Notebook PC ENERGY STAR", ("840 elitebook g10",)),
        ("HP", "HP EliteBook 840 G10", ("840 elitebook g10",)),
        ("Lenovo", "ThinkPad T14 Gen 5", ("g5 t14 thinkpad",)),
        ("Lenovo", "Lenovo K14 Gen 1 (AMD)", ("amd g1 k14",)),  # AMD and Intel builds stay apart
        ("DELL", "OptiPlex 7000 Micro (180W adapter)", ("7000 micro optiplex",)),
        ("DELL", "XPS 15-9520", ("15 9520 xps",)),
        ("ASUSTeK Computer Inc.", "ASUS X1404V (Series: F1404V, R1404V)", ("x1404v", "f1404v", "r1404v")),
        ("Samsung", "S27D700EAE, S27D700EAI", ("s27d700eae", "s27d700eai")),  # a GTIN API model list
        ("HP", "HP Series 5 Pro 23.8 inch FHD Monitor - 524pf", ("5 524pf pro",)),
        ("HP", "HP 14 Laptop PC", ()),  # nothing left that names a device: no key, no link
        ("Fairphone", "Fairphone 4 Bundle 256GB (6,3 Zoll)", ("4 bundle",)),
    ],
)
def test_model_keys_of_real_names(brand, name, keys):
    assert model_keys(name, brand) == keys


@pytest.mark.parametrize(
    ("a", "b", "found"),
    [
        (("HP", "HP EliteBook 840 14 inch G10 Notebook PC"), ("HP Inc.", "HP EliteBook 840 G10"), "linked"),
        (("HP", "HP EliteBook 840 14 inch G10 Notebook PC"), ("HP", "HP EliteBook 840 G9"), "apart"),  # generation
        (("HP", "HP EliteBook 840 G10"), ("HP", "HP EliteBook 860 G10"), "apart"),  # another number
        (("DELL", "P2424H"), ("Dell Inc.", "P2424HT"), "candidate"),  # a suffix: an analyst decides
        (("Samsung", "S27D700EAE"), ("Samsung", "S32D700EAE"), "apart"),  # size in the model number
        (("DELL", "DELL P2422H"), ("Dell Inc.", "P2422H"), "linked"),  # brands written two ways
        (("Acer", "B277U"), ("Acer", "B277U bmiipprx"), "candidate"),  # configuration code
    ],
)
def test_hard_negatives_stay_apart_and_spellings_meet(a, b, found):
    assert judge(*a, *b) == found


def test_precision_and_recall_on_the_labelled_real_pairs():
    quality = measure(PAIRS)
    assert quality.pairs - quality.unsure >= 300
    assert quality.same >= 100 and quality.linked > 0
    assert quality.precision >= PRECISION_TARGET, quality
    assert quality.recall_with_candidates >= RECALL_TARGET, quality
