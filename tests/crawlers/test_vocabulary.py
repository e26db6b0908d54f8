import tomllib

from conftest import FIXTURES, ROOT

from crawlers.sources import get_source
from crawlers.vocabulary import model_key, normalise_brand


def test_brand_aliases_fold_registry_spellings():
    assert normalise_brand("ASUSTeK Computer Inc.") == "ASUS"
    assert normalise_brand("ASUS") == "ASUS"
    assert normalise_brand("DELL") == "Dell"
    assert normalise_brand("  hp  ") == "HP"
    assert normalise_brand("SHARP") == "Sharp"


def test_unknown_brand_keeps_its_spelling_and_empty_is_unknown():
    assert normalise_brand("Framework  Computer") == "Framework Computer"
    assert normalise_brand("  ") is None
    assert normalise_brand(None) is None


def test_every_tco_brand_spelling_of_the_sustainity_list_is_aliased():
    """The 22 TCO brand spellings collected by Sustainity (2023) all resolve to an alias entry."""
    sample = FIXTURES / "tco" / "sustainity_tco-brand-names_2023.yaml"
    names = [line.split(":", 1)[1].strip() for line in sample.read_text().splitlines() if line.startswith("- tco:")]
    assert len(names) == 22
    aliases = {
        a.casefold()
        for canon, al in tomllib.loads((ROOT / "crawlers/data/brands.toml").read_text()).items()
        for a in [canon, *al]
    }
    assert all(n.casefold() in aliases for n in names), [n for n in names if n.casefold() not in aliases]


def test_tco_categories_map_by_word_and_unknown_is_none():
    assert get_source("tco").category("category", "Displays") == "display"
    assert get_source("tco").category("category", "All-in-OnePCs") == "all_in_one"
    assert get_source("tco").category("category", "all-in-one PCs") == "all_in_one"
    assert get_source("tco").category("category", "displays") == "display"
    assert get_source("tco").category("category", "Wearables") is None
    assert get_source("tco").category("nosuchtable", "Displays") == "display"  # the shared vocabulary
    assert get_source("tco").category("category", "Photovoltaics") is None


def test_model_key_ignores_case_and_spacing():
    assert model_key(" ASUS  D700MDES ") == model_key("asus d700mdes")
