"""Message catalogues and the Jinja2 environments, one per locale.

The catalogues are the `.po` files under `locale/`, read with `babel.messages.pofile` and
compiled to gettext form in memory when this module is imported (no `.mo` files are kept in
the repository or built at install time). Each locale has its own Jinja2 environment with its
translations installed, so concurrent requests in different languages never share state.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.console import labels

Locale = Literal["nb", "en"]
LOCALES: tuple[Locale, ...] = ("nb", "en")
DEFAULT_LOCALE: Locale = "nb"
HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
TEMPLATE_DIR = HERE / "templates"


def catalogue_path(locale: Locale) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: Locale) -> Translations:
    with catalogue_path(locale).open("rb") as source:
        catalogue = read_po(source, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(fp=compiled)


def as_locale(value: str | None) -> Locale:
    return "en" if value == "en" else "nb"


def from_accept_language(header: str | None) -> Locale:
    """The first of nb/en the browser names (nn and no count as Norwegian); else nb."""
    best: tuple[float, Locale] | None = None
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        found: Locale | None = (
            "nb" if primary in {"nb", "nn", "no"} else "en" if primary == "en" else None
        )
        if found is None:
            continue
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        key = (weight - position * 1e-6, found)
        if weight > 0 and (best is None or key[0] > best[0]):
            best = key
    return best[1] if best else DEFAULT_LOCALE


@lru_cache(maxsize=len(LOCALES))
def environment(locale: Locale) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["locale"] = locale
    env.globals.update(labels.ALL)
    env.globals["yes_no"] = lambda value: _yes_no(value, locale)
    env.filters["day"] = lambda value: _day(value, locale)
    env.filters["moment"] = lambda value, zone=None: _moment(value, locale, zone)
    env.filters["number"] = lambda value: _number(value, locale)
    return env


def _day(value: date | None, locale: Locale) -> str:
    return "" if value is None else format_date(value, format="medium", locale=locale)


def _moment(value: datetime | None, locale: Locale, zone: str | None) -> str:
    """A moment in the reader's time zone."""
    if value is None:
        return ""
    tzinfo = ZoneInfo(zone) if zone else None
    return format_datetime(value, format="short", tzinfo=tzinfo, locale=locale)


def _number(value: float | None, locale: Locale) -> str:
    return (
        "\N{EN DASH}" if value is None else format_decimal(value, format="#,##0.##", locale=locale)
    )


def _yes_no(value: bool | None, locale: Locale) -> str:
    if value is None:
        return ""
    return gettext(locale, labels.YES if value else labels.NO)


def gettext(locale: Locale, message: str) -> str:
    return translations(locale).gettext(message)
