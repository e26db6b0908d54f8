"""Every text the dashboard shows has a Dutch and a French translation, and a page in Dutch or
French shows no English left untranslated."""

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from dashboard.i18n import LOCALES

APP = str(ROOT / "dashboard" / "app.py")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def used() -> set:
    """The messages the code marks (dashboard/, and the texts sources declare with N_)."""
    found = set()
    for folder in (ROOT / "dashboard", ROOT / "crawlers" / "sources"):
        for _, _, message, _, _ in extract_from_dir(folder, [("**.py", "python")], keywords=KEYWORDS):
            found.add(message)
    return found


def catalog(language: str):
    with (LOCALES / language / "LC_MESSAGES" / "labelwatch.po").open("rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_message_the_code_uses_is_translated_with_its_placeholders(language):
    translated = catalog(language)
    missing, wrong = [], []
    for message in used():
        entry = translated.get(message[0] if isinstance(message, tuple) else message)
        strings = (
            [entry.string] if entry and not isinstance(entry.string, tuple) else list(entry.string if entry else ())
        )
        if entry is None or not all(strings):
            missing.append(message)
            continue
        source = message[0] if isinstance(message, tuple) else message
        if any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(source)) for s in strings):
            wrong.append(message)
    assert missing == [] and wrong == []
    assert len(used()) > 150


def shown_texts(at: AppTest) -> list[str]:
    """What a person reads on the rendered page: titles, captions, messages, widget and metric labels."""
    texts = []
    for kind in ("title", "subheader", "caption", "markdown", "info", "warning", "success", "error"):
        texts += [element.value for element in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "checkbox", "date_input", "number_input", "radio", "button"):
        texts += [element.label for element in getattr(at, kind)]
    for kind in ("selectbox", "radio"):  # the options as shown (their words, not their values)
        texts += [option for element in getattr(at, kind) for option in element.options]
    texts += [metric.label for metric in at.metric]
    texts += [str(name) for frame in at.dataframe for name in frame.value.columns]  # column headers
    return texts


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
@pytest.mark.parametrize("page", ["availability", "pretender", "trends", "expiry", "offers", "device", "crawls"])
def test_a_page_shows_no_english_left_in_dutch_or_french_and_no_internal_names(monkeypatch, demo_db, language, page):
    english = {m if isinstance(m, str) else m[0] for m in used()}
    if language == "en":
        same = english  # English is the source text: only the internal names are looked for
    else:
        translated = catalog(language)
        same = {m for m in english if translated.get(m) and translated.get(m).string == m}  # "Label", "GTIN"…
    monkeypatch.setenv("LABELWATCH_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = language
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="lang").value == language
    texts = shown_texts(at)
    assert texts
    untranslated = [text for text in texts if text in english - same]
    assert untranslated == []
    internal = [text for text in texts if re.fullmatch(r"[a-z]+(_[a-z]+)+", text)]  # all_in_one, price_min…
    assert internal == []
    if language != "en":
        assert any(t for t in texts if t and t not in english)  # translated texts were shown
