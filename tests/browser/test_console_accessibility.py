"""axe-core on every page of the console: no violation of impact serious or critical; and no
console error (a script the Content-Security-Policy refused, a script error, a failed load).
Each page is also saved as a screenshot."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import chrome, pages
from tests.browser.chrome import BROWSER_TEST
from tests.browser.server import LiveServer

pytestmark = BROWSER_TEST

PATIENT_PAGES = {
    "patient": ("/console/patients/{id}", 200),
    "assign-form": ("/console/patients/{id}/assignments/new", 200),
    "access-log": ("/console/patients/{id}/access-log", 200),
}
OTHER_PAGES = {
    "worklist": ("/console/worklist", 200),
    "invitations": ("/console/invitations", 200),
    "not-found": (f"/console/patients/{uuid.UUID(int=1)}", 404),
}


def test_the_sign_in_page_passes_axe(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    browser.get(server.url("/console/login"))
    assert chrome.status_of(browser) == 200
    shot("sign-in")
    chrome.axe(browser)
    assert not chrome.console_errors(browser)


@pytest.mark.parametrize("page", [*PATIENT_PAGES, *OTHER_PAGES])
def test_each_signed_in_page_passes_axe(
    page: str, server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.sign_in(browser, server)
    patient_id = pages.patient_row(browser).get_attribute("data-patient-id")
    path, status = {**PATIENT_PAGES, **OTHER_PAGES}[page]
    chrome.drain_log(browser)
    browser.get(server.url(path.format(id=patient_id)))
    assert chrome.status_of(browser) == status
    shot(page)
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1
    assert browser.find_elements(By.CSS_SELECTOR, "main#main")
    chrome.axe(browser)
    # No script refused by the Content-Security-Policy, no script error, nothing failed to load
    # (but the 404 page's own status, which Chromium reports as an error too).
    allowed = ("the server responded with a status of 404",) if status == 404 else ()
    assert not chrome.console_errors(browser, allow=allowed)
