"""Precision and recall of the automatic links and candidates on a labelled set of real name
pairs (tests/fixtures/products/labelled_pairs.csv): what `python -m bench.products` prints and
tests/store/products/test_quality.py holds to the targets."""

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from crawlers.vocabulary import normalise_brand
from store.products.keys import model_keys
from store.products.pairs import candidate_score, same_by_key

PRECISION_TARGET = 0.99  # of links counted without review
RECALL_TARGET = 0.9  # automatic links and candidates together


@dataclass(frozen=True)
class Quality:
    pairs: int
    unsure: int
    same: int
    linked: int  # automatic links
    wrongly_linked: int
    candidates_same: int
    candidates_different: int

    @property
    def precision(self) -> float:
        return (self.linked - self.wrongly_linked) / self.linked if self.linked else 1.0

    @property
    def recall_linked(self) -> float:
        return (self.linked - self.wrongly_linked) / self.same

    @property
    def recall_with_candidates(self) -> float:
        return (self.linked - self.wrongly_linked + self.candidates_same) / self.same


def judge(brand_a: str, name_a: str, brand_b: str, name_b: str) -> str:
    """ "linked", "candidate" or "apart": what the linker makes of two names."""
    if normalise_brand(brand_a) != normalise_brand(brand_b):
        return "apart"
    keys_a, keys_b = model_keys(name_a, brand_a), model_keys(name_b, brand_b)
    if same_by_key(keys_a, keys_b):
        return "linked"
    return "candidate" if candidate_score(keys_a, keys_b) is not None else "apart"


def measure(path: Path) -> Quality:
    counts = Counter()
    with path.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            counts["pairs"] += 1
            if row["same"] == "unsure":
                counts["unsure"] += 1
                continue
            truth = row["same"] == "same"
            counts["same"] += truth
            found = judge(row["a_brand"], row["a_name"], row["b_brand"], row["b_name"])
            counts[(found, truth)] += 1
    return Quality(
        pairs=counts["pairs"],
        unsure=counts["unsure"],
        same=counts["same"],
        linked=counts[("linked", True)] + counts[("linked", False)],
        wrongly_linked=counts[("linked", False)],
        candidates_same=counts[("candidate", True)],
        candidates_different=counts[("candidate", False)],
    )
