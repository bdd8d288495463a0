"""The therapist's day in a real Chromium: sign in, the worklist with the demo patient flagged,
the patient's page and its charts' data tables, schedule the open booster request, assign
homework, create an invitation, read the access log, sign out. Screenshots of each page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.browser import chrome, pages
from tests.browser.chrome import BROWSER_TEST
from tests.browser.server import LiveServer

pytestmark = BROWSER_TEST

CHARTS = ("chart-rtwse", "chart-adherence", "chart-hours", "chart-measures")
# The demo patient has records of every kind, work-focused ones too.
SECTIONS = [
    "summary",
    "charts",
    "homework",
    "checkins",
    "work",
    "boosters",
    "follow-ups",
    "consents",
    "work-focus",
]
POINT = re.compile(r"^\d{4}-(\d{2}-\d{2}|W\d{2})")  # a date or an ISO week


def _flags(driver: WebDriver) -> list[str]:
    row = pages.patient_row(driver)
    return [f.get_attribute("data-flag") or "" for f in row.find_elements(By.CSS_SELECTOR, ".flag")]


def test_the_flagged_patients_open_booster_request_is_scheduled(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    """The one test that acts on the demo's open request (the others leave it open)."""
    browser.get(server.url("/console/"))
    pages.wait_for_path(browser, "/console/login")  # not signed in yet
    shot("sign-in")
    pages.sign_in(browser, server)
    assert chrome.status_of(browser) == 200
    shot("worklist")
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1
    # The vendored htmx loaded under the Content-Security-Policy (scripts on, unlike
    # test_console_without_javascript.py).
    assert browser.execute_script("return typeof window.htmx") == "object"
    filters = browser.find_element(By.CSS_SELECTOR, "form#worklist-filter")
    Select(filters.find_element(By.CSS_SELECTOR, "select[name=flag]"))
    Select(filters.find_element(By.CSS_SELECTOR, "select[name=sort]"))
    assert "booster_open" in _flags(browser)
    row = pages.patient_row(browser)
    patient_id = row.get_attribute("data-patient-id")
    link = row.find_element(By.CSS_SELECTOR, "a.patient-link")
    assert link.get_dom_attribute("href") == f"/console/patients/{patient_id}"
    link.click()
    pages.wait_for_path(browser, f"/console/patients/{patient_id}")

    request = browser.find_element(By.CSS_SELECTOR, "article.booster-request[data-status=open]")
    request_id = request.get_attribute("data-request-id")
    form = request.find_element(
        By.CSS_SELECTOR, "form:has(button[type=submit][name=action][value=schedule])"
    )
    assert form.get_dom_attribute("action") == f"/console/booster-requests/{request_id}"
    when = form.find_element(By.CSS_SELECTOR, "input[name=scheduled_for][type=datetime-local]")
    browser.execute_script("arguments[0].value = arguments[1]", when, _next_morning(3))
    form.find_element(By.CSS_SELECTOR, "button[name=action][value=schedule]").click()

    selector = f"article.booster-request[data-request-id='{request_id}']"
    pages.wait_until(
        browser,
        lambda d: any(
            a.get_attribute("data-status") == "scheduled"
            for a in d.find_elements(By.CSS_SELECTOR, selector)
        ),
        "the request to read scheduled",
    )
    assert pages.path_of(browser) == f"/console/patients/{patient_id}"
    assert not pages.alerts(browser)
    shot("patient-booster-scheduled")
    browser.get(server.url("/console/worklist"))
    assert "booster_open" not in _flags(browser)


def test_the_patient_page_has_every_section_and_readable_charts(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.sign_in(browser, server)
    pages.open_patient(browser, server)
    shot("patient")
    for section in SECTIONS:
        assert browser.find_elements(By.ID, section), f"no #{section}"
    for chart_id in CHARTS:
        figure = browser.find_element(By.CSS_SELECTOR, f"figure.chart#{chart_id}")
        svg = figure.find_element(By.CSS_SELECTOR, "svg[role=img]")
        assert svg.get_attribute("aria-labelledby"), chart_id
        assert svg.find_elements(By.TAG_NAME, "title"), f"{chart_id}: the svg has no <title>"
        table = figure.find_element(By.CSS_SELECTOR, "table.chart-data")
        assert table.find_elements(By.CSS_SELECTOR, "thead th"), f"{chart_id}: no header"
        rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
        assert rows, f"{chart_id}: an empty data table"
        for row in rows:
            first = row.find_element(By.CSS_SELECTOR, "th, td").get_attribute("textContent")
            assert POINT.match((first or "").strip()), f"{chart_id}: first cell {first!r}"


def _next_morning(days: int) -> str:
    """A time `days` ahead, 10:00 in the demo therapist's zone, as datetime-local wants it."""
    day = datetime.now(ZoneInfo("Europe/Oslo")).date() + timedelta(days=days)
    return f"{day.isoformat()}T10:00"


def _assignment_ids(driver: WebDriver) -> set[str]:
    rows = driver.find_elements(By.CSS_SELECTOR, "table#assignments tr[data-assignment-id]")
    return {row.get_attribute("data-assignment-id") or "" for row in rows}


def test_homework_is_assigned_and_its_row_appears(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.sign_in(browser, server)
    patient_id = pages.open_patient(browser, server)
    before = _assignment_ids(browser)
    browser.find_element(By.CSS_SELECTOR, "a#assign-homework").click()
    pages.wait_for_path(browser, f"/console/patients/{patient_id}/assignments/new")
    shot("assign-form")
    form = browser.find_element(By.CSS_SELECTOR, "form#assignment-form")
    assert form.get_dom_attribute("action") == f"/console/patients/{patient_id}/assignments"
    Select(form.find_element(By.NAME, "exercise_kind")).select_by_value("attentional_refocusing")
    form.find_element(By.NAME, "times_per_day").send_keys("2")
    starts = form.find_element(By.NAME, "starts_on")
    browser.execute_script("arguments[0].value = arguments[1]", starts, _next_morning(1)[:10])
    form.find_element(By.NAME, "instructions").send_keys("Two short practices a day.")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    pages.wait_for_path(browser, f"/console/patients/{patient_id}")
    added = _assignment_ids(browser) - before
    assert len(added) == 1, (before, _assignment_ids(browser))
    shot("patient-homework-assigned")


def test_an_invitation_is_created_and_its_code_shown(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.sign_in(browser, server)
    browser.get(server.url("/console/invitations"))
    shot("invitations")
    form = browser.find_element(By.CSS_SELECTOR, "form#invitation-form")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    pages.wait_until(
        browser,
        lambda d: any(e.text.strip() for e in d.find_elements(By.ID, "invitation-code")),
        "the invitation code",
    )
    shot("invitation-created")


def test_the_access_log_page_lists_the_therapists_reads(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.sign_in(browser, server)
    patient_id = pages.open_patient(browser, server)  # a read the log now holds
    chrome.drain_log(browser)
    browser.get(server.url(f"/console/patients/{patient_id}/access-log"))
    assert chrome.status_of(browser) == 200
    shot("access-log")
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1
    assert pages.main(browser).find_elements(By.CSS_SELECTOR, "tbody tr, li"), "no entries"


def test_sign_out_ends_the_session_on_the_server(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.sign_in(browser, server)
    nav = browser.find_element(By.CSS_SELECTOR, "nav[aria-label]")
    links = nav.find_elements(By.CSS_SELECTOR, "a[href]")
    assert {"/console/worklist", "/console/invitations"} <= {
        a.get_dom_attribute("href") for a in links
    }
    form = browser.find_element(By.CSS_SELECTOR, "form#logout-form")
    assert form.get_dom_attribute("method") == "post"
    assert form.get_dom_attribute("action") == "/console/logout"
    assert form.find_element(By.NAME, "csrf_token").get_attribute("value")
    signed_in = browser.get_cookies()
    pages.sign_out(browser)
    shot("signed-out")
    browser.get(server.url("/console/worklist"))
    pages.wait_for_path(browser, "/console/login")
    # The old cookies, put back, open nothing: the session ended on the server too.
    for cookie in signed_in:
        browser.add_cookie(cookie)
    browser.get(server.url("/console/worklist"))
    pages.wait_for_path(browser, "/console/login")
