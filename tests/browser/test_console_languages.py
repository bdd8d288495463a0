"""Norwegian and English: the signed-in pages follow the user's locale, the sign-in page the
browser's Accept-Language (Norwegian when it names neither)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from app.accounts.models import Role
from tests.browser import chrome, pages
from tests.browser.chrome import BROWSER_TEST
from tests.browser.server import LiveServer

pytestmark = BROWSER_TEST
PASSWORD = "language-therapist-pass"


def _labels(driver: WebDriver) -> dict[str, str]:
    """The page's heading, the navigation's name and its worklist link, as shown."""
    nav = driver.find_element(By.CSS_SELECTOR, "nav[aria-label]")
    link = nav.find_element(By.CSS_SELECTOR, "a[href='/console/worklist']")
    return {
        "h1": driver.find_element(By.TAG_NAME, "h1").text.strip(),
        "nav": nav.get_attribute("aria-label") or "",
        "worklist link": link.text.strip(),
    }


def test_each_therapist_reads_the_console_in_their_own_language(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    seen: dict[str, dict[str, str]] = {}
    for locale in ("en", "nb"):
        email = f"{locale}-{uuid.uuid4().hex[:8]}@example.com"
        server.user(Role.therapist, email=email, password=PASSWORD, name="Lise", locale=locale)
        browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
        pages.sign_in(browser, server, (email, PASSWORD))
        assert pages.html_lang(browser) == locale
        shot(f"worklist-{locale}")
        seen[locale] = _labels(browser)
    assert seen["en"]["worklist link"] == "Worklist", seen
    for label, english in seen["en"].items():
        assert seen["nb"][label] != english, f"{label} is not translated: {seen}"


def test_the_sign_in_page_follows_accept_language(server: LiveServer, browser: WebDriver) -> None:
    browser.get(server.url("/console/login"))  # this Chromium asks for en-US
    assert pages.html_lang(browser) == "en"
    english = browser.find_element(By.TAG_NAME, "h1").text
    for accept, expected in (("nb-NO,nb,en", "nb"), ("de-DE,de", "nb")):
        other = chrome.new_driver(accept_language=accept)
        try:
            other.get(server.url("/console/login"))
            assert pages.html_lang(other) == expected, accept
            heading = other.find_element(By.TAG_NAME, "h1").text
            assert heading != english, f"{accept}: the heading {heading!r} is not translated"
            chrome.screenshot(other, f"sign-in-{accept.split(',')[0]}")
        finally:
            other.quit()
