"""Danish and English for the pages: the chosen language, a message catalogue, formatters.

The language comes from `?lang=da|en`, else the `lang` cookie, else Danish. A `?lang=` is
remembered in the cookie. Vocabulary and field labels come from vocabularies.py; every other
word on the pages is a key of MESSAGES with its Danish and English text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from babel import dates as babel_dates
from babel.numbers import format_currency, format_decimal
from flask import Flask, Response, current_app, g, request

from .. import vocabularies
from ..schemas.messages import Message, place_words
from .messages import MESSAGES, SCHEMA_MESSAGES_DA

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
COOKIE_NAME = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

# Babel's locale for each language of the pages.
LOCALES = {"da": "da_DK", "en": "en_GB"}

_FIELD_TERMS = {term.key: term for term in vocabularies.FIELDS}


_PLACE_NAMES_DA = {"url": "adresse", "title": "titel"}


def translate_error(message: str) -> str:
    """A schema message in the chosen language, said by its key (other text stays as it is)."""
    if current_language() != "da" or not isinstance(message, Message):
        return str(message)
    danish = SCHEMA_MESSAGES_DA.get(message.key)
    if danish is None:
        return str(message)
    where = place_words(message.path, english=False, names=lambda n: _PLACE_NAMES_DA.get(n, n))
    return where + danish.format(**message.values)


def current_language() -> str:
    """The language of this request (see the module docstring)."""
    lang = g.get("lang")
    if lang:
        return str(lang)
    asked = request.args.get("lang")
    if asked not in LANGUAGES:
        asked = request.cookies.get(COOKIE_NAME)
    lang = asked if asked in LANGUAGES else DEFAULT_LANGUAGE
    g.lang = lang
    return lang


def t(key: str, **values: Any) -> str:
    """The message `key` in the chosen language, with `{name}` placeholders filled in."""
    danish, english = MESSAGES[key]
    text = english if current_language() == "en" else danish
    return text.format(**values) if values else text


def t_or(key: str, fallback: str) -> str:
    """The message `key`, or the fallback when the catalogue has no such key."""
    return t(key) if key in MESSAGES else fallback


def other_language() -> str:
    return "da" if current_language() == "en" else "en"


def vocab_label(vocabulary: str, key: str) -> str:
    """A vocabulary key's label in the chosen language."""
    return vocabularies.label(vocabulary, key, current_language())


def field_label(name: str) -> str:
    """A record field's label in the chosen language."""
    term = _FIELD_TERMS.get(name)
    return term.label(current_language()) if term else name


def format_amount(amount: int | None, lang: str = "da") -> str:
    """Kroner the Danish way (1.250.000 kr.), or the English way (DKK 1,250,000)."""
    if amount is None:
        return ""
    pattern = "¤ #,##0" if lang == "en" else "#,##0 ¤"
    return format_currency(amount, "DKK", pattern, locale=LOCALES[lang], currency_digits=False)


def format_number(value: int, lang: str = "da") -> str:
    """1.234 in Danish, 1,234 in English."""
    return format_decimal(value, locale=LOCALES[lang])


def _moment(value: date | datetime | str) -> date | datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def format_date(value: date | datetime | str | None, lang: str = "da") -> str:
    """28. november 2026 / 28 November 2026."""
    if value is None or value == "":
        return ""
    return babel_dates.format_date(_moment(value), format="long", locale=LOCALES[lang])


def format_datetime(value: datetime | str | None, lang: str = "da") -> str:
    """The date and the time (UTC) of a change."""
    if value is None or value == "":
        return ""
    moment = _moment(value)
    assert isinstance(moment, datetime)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{format_date(moment, lang)} {moment.astimezone(UTC):%H:%M} UTC"


def format_years(start: int | None, end: int | None) -> str:
    """2014–2017, 2014– (no end yet), or '' when the start is unknown."""
    if start is None:
        return ""
    if end is None:
        return f"{start}–"
    return str(start) if end == start else f"{start}–{end}"


def _remember_language(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.vary.add("Cookie")  # the language may come from the cookie
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE_NAME) != asked:
        response.set_cookie(
            COOKIE_NAME,
            asked,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
        )
    return response


def language_switch_url() -> str:
    """This page in the other language (the choice is then remembered in the cookie)."""
    pairs = [(n, v) for n, v in request.args.items(multi=True) if n != "lang"]
    return request.path + "?" + urlencode([*pairs, ("lang", other_language())])


def _template_globals() -> dict[str, Any]:
    lang = current_language()
    return {
        "lang_switch_url": language_switch_url(),
        "lang": lang,
        "t": t,
        "t_or": t_or,
        "other_language": other_language,
        "vocab_label": vocab_label,
        "field_label": field_label,
        "amount": lambda value: format_amount(value, lang),
        "number": lambda value: format_number(value, lang),
        "date_text": lambda value: format_date(value, lang),
        "datetime_text": lambda value: format_datetime(value, lang),
        "years_text": format_years,
    }


def init_app(app: Flask) -> None:
    app.context_processor(_template_globals)
    app.after_request(_remember_language)
