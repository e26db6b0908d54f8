"""What a person reads, in their language: gettext catalogues (dashboard/locales/<lang>/
LC_MESSAGES/labelwatch.po, English is the source text) read with Babel, and dates and numbers
formatted per locale. The language is picked on the page and kept in the URL (`?lang=nl`),
defaulting to the browser's language. Texts a source declares (its validity rule, caveats,
flag help) are marked in its folder with `N_` and translated here like any other."""

from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

import streamlit as st
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "labelwatch"
LANGUAGES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
KEY = "lang"


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of `language`, compiled in memory from its .po file (English: the source text)."""
    po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not po.is_file():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def browser_language() -> str:
    """The browser's language if it is one of ours, else English."""
    locale = (getattr(st.context, "locale", None) or "en").split("-")[0].lower()
    return locale if locale in LANGUAGES else "en"


def language() -> str:
    """The language of this session: the picker's (bound to `?lang=`), else the browser's;
    English outside a page run."""
    try:
        chosen = st.session_state.get(KEY) or st.query_params.get(KEY)
    except Exception:  # no Streamlit session: a script or test calling the dashboard's helpers
        return "en"
    return chosen if chosen in LANGUAGES else browser_language()


def _(message: str) -> str:
    """`message` in the session's language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(language()).ngettext(singular, plural, n)


def titled(title: str, text: str) -> str:
    """A text under its title ("EPEAT: …"), punctuated as the language does (French: "EPEAT : …")."""
    return _("{title}: {text}").format(title=title, text=text)


def number(value: float | int) -> str:
    return format_decimal(value, locale=language())


def money(value: float, currency: str) -> str:
    """A price with its currency and two decimals, as the locale writes it."""
    return format_currency(value, currency, locale=language(), format_type="standard")


def day(value: date | datetime | None) -> str:
    """A date as the locale writes it; an unknown one as a dash."""
    if value is None:
        return "–"
    return format_date(value.date() if isinstance(value, datetime) else value, format="medium", locale=language())


def country(name: str) -> str:
    """An English country name as the registries write it ("Germany"), in the session's language."""
    from babel import Locale

    from crawlers.vocabulary import country_code

    code = country_code(name)
    return Locale.parse(language()).territories.get(code, name) if code else name


def picker() -> None:
    """The language picker; its choice is kept in the URL as `lang=nl|fr|en`, first the browser's."""
    if st.session_state.get(KEY) not in LANGUAGES:
        asked = st.query_params.get(KEY)
        st.session_state[KEY] = asked if asked in LANGUAGES else browser_language()
    st.selectbox("Taal · Langue · Language", list(LANGUAGES), format_func=LANGUAGES.get, key=KEY)
    st.query_params[KEY] = st.session_state[KEY]
