"""The console's catalogues (issue 18): every msgid it uses is in nb and en; pages follow the
user's locale, and the sign-in page the browser's Accept-Language."""

from __future__ import annotations

from babel.messages.pofile import read_po

from app.console.i18n import LOCALES, catalogue_path, from_accept_language
from app.console.messages import used_msgids
from tests.console_helpers import https, signed_in
from tests.factories import Api


def test_every_msgid_used_is_in_both_catalogues() -> None:
    used = used_msgids()
    assert len(used) > 100  # the templates and the marked Python messages were both read
    assert "Sign in to the console" in used  # a template's
    assert "Booster request open" in used  # a Python module's (N_)
    for locale in LOCALES:
        with catalogue_path(locale).open("rb") as source:
            catalogue = read_po(source, locale=locale)
        translated = {m.id for m in catalogue if m.id and m.string}
        missing = sorted(used - translated)
        assert missing == [], f"{locale}: {missing}"


def test_accept_language_picks_the_sign_in_language() -> None:
    assert from_accept_language(None) == "nb"
    assert from_accept_language("en-GB,en;q=0.9") == "en"
    assert from_accept_language("nn-NO,en;q=0.5") == "nb"
    assert from_accept_language("de-DE,en;q=0.7,nb;q=0.8") == "nb"
    assert from_accept_language("fr") == "nb"
    assert from_accept_language("en;q=0") == "nb"


def test_sign_in_page_in_both_languages(api: Api) -> None:
    client = https(api.client)
    norwegian = client.get("/console/login")
    assert '<html lang="nb">' in norwegian.text
    assert "Logg inn i konsollen" in norwegian.text
    english = client.get("/console/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in english.text
    assert "Sign in to the console" in english.text


def test_signed_in_pages_follow_the_users_locale(api: Api) -> None:
    therapist = api.therapist(locale="en")
    client = signed_in(api, therapist)
    page = client.get("/console/worklist", headers={"Accept-Language": "nb"})
    assert '<html lang="en">' in page.text
    assert "Your patients" in page.text
    other = api.therapist(locale="nb")
    client = signed_in(api, other)
    page = client.get("/console/worklist", headers={"Accept-Language": "en"})
    assert '<html lang="nb">' in page.text
    assert "Dine pasienter" in page.text
