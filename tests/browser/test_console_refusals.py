"""What the console refuses, as the browser sees it: a patient account cannot sign in, another
therapist's patient (and an unknown id) answers the 404 page."""

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


def test_a_patient_account_gets_the_form_again_and_no_session(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.fill_login(browser, server, *pages.PATIENT)
    pages.wait_until(browser, lambda d: pages.alerts(d), "the refusal")
    assert pages.path_of(browser) == "/console/login"
    assert browser.find_elements(By.CSS_SELECTOR, "form#login-form")
    shot("patient-refused")
    chrome.axe(browser)
    browser.get(server.url("/console/worklist"))
    pages.wait_for_path(browser, "/console/login")


def test_a_wrong_password_is_an_alert_on_the_form(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.fill_login(browser, server, pages.THERAPIST[0], "not-the-password")
    pages.wait_until(browser, lambda d: pages.alerts(d), "the refusal")
    assert pages.path_of(browser) == "/console/login"
    shot("wrong-password")
    chrome.axe(browser)


def test_another_therapists_patient_is_the_404_page(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    tag = uuid.uuid4().hex[:8]
    other = server.user(
        Role.therapist,
        email=f"other-{tag}@example.com",
        password="another-therapist-pass",
        name="Olga Annen",
        locale="en",
    )
    theirs = server.user(
        Role.patient,
        email=f"theirs-{tag}@example.com",
        password="another-patient-pass",
        name="Pia Annen",
        locale="nb",
    )
    server.link(patient=theirs, therapist=other)

    pages.sign_in(browser, server)
    assert "Pia Annen" not in pages.main(browser).text
    for patient_id in (theirs.id, uuid.uuid4()):
        chrome.drain_log(browser)
        browser.get(server.url(f"/console/patients/{patient_id}"))
        assert chrome.status_of(browser) == 404
        assert "Pia Annen" not in browser.page_source
        assert not browser.find_elements(By.ID, "summary")
    shot("not-found")
    chrome.axe(browser)

    # Their own therapist does see them: the 404 above is the access check, not a bad id.
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    pages.sign_in(browser, server, (other.email, "another-therapist-pass"))
    chrome.drain_log(browser)
    browser.get(server.url(f"/console/patients/{theirs.id}"))
    assert chrome.status_of(browser) == 200
    assert "Pia Annen" in pages.main(browser).text
