"""Every form works by keyboard alone: TAB to each field, type, ENTER on the button."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from app.accounts import service as accounts
from app.accounts.models import Role
from tests.browser import pages
from tests.browser.chrome import BROWSER_TEST
from tests.browser.server import LiveServer

pytestmark = BROWSER_TEST


def _value(driver: WebDriver, css: str) -> str:
    value: str = driver.execute_script("return document.querySelector(arguments[0]).value", css)
    return value


def test_the_therapist_signs_in_with_the_keyboard_alone(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.sign_in_by_keyboard(browser, server, *pages.THERAPIST)
    shot("worklist-after-keyboard-sign-in")
    pages.patient_row(browser)
    # And out again: TAB to the sign-out button, ENTER.
    pages.tab_to(browser, "#logout-form button[type=submit]")
    pages.keys(browser, Keys.ENTER)
    pages.wait_for_path(browser, "/console/login")


def test_the_skip_link_is_the_first_stop_and_leads_to_main(
    server: LiveServer, browser: WebDriver
) -> None:
    browser.get(server.url("/console/login"))
    pages.keys(browser, Keys.TAB)
    assert pages.focused(browser, "a[href='#main']"), "the first TAB stop is not the skip link"


def test_homework_is_assigned_with_the_keyboard_alone(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.sign_in_by_keyboard(browser, server, *pages.THERAPIST)
    patient_id = pages.patient_row(browser).get_attribute("data-patient-id")
    pages.tab_to(browser, f"a.patient-link[href='/console/patients/{patient_id}']")
    pages.keys(browser, Keys.ENTER)
    pages.wait_until(browser, lambda d: d.find_elements(By.ID, "summary"), "the patient page")
    patient_path = pages.path_of(browser)
    before = len(browser.find_elements(By.CSS_SELECTOR, "#assignments tr[data-assignment-id]"))

    pages.tab_to(browser, "a#assign-homework")
    pages.keys(browser, Keys.ENTER)
    pages.wait_for_path(browser, f"{patient_path}/assignments/new")

    # The demo patient has attention training, worry postponement and detached mindfulness.
    kind = "#assignment-form select[name=exercise_kind]"
    pages.tab_to(browser, kind)
    for key in [Keys.ARROW_DOWN] * 6 + [Keys.ARROW_UP] * 12:  # arrows move a closed select
        if _value(browser, kind) == "rumination_postponement":
            break
        pages.keys(browser, key)
    assert _value(browser, kind) == "rumination_postponement"
    pages.tab_to(browser, "#assignment-form input[name=times_per_week]")
    pages.keys(browser, "3")
    starts = "#assignment-form input[name=starts_on]"
    if not _value(browser, starts):
        pages.tab_to(browser, starts)
        day = datetime.now(ZoneInfo("Europe/Oslo")).date() + timedelta(days=1)
        pages.keys(browser, day.strftime("%m%d%Y"))  # the en-US field order
    assert _value(browser, starts), "starts_on stayed empty"
    pages.tab_to(browser, "#assignment-form input[name=worry_time]")
    pages.keys(browser, "0630P")  # 06:30 PM in the en-US field order
    assert _value(browser, "#assignment-form input[name=worry_time]") == "18:30"
    pages.tab_to(browser, "#assignment-form textarea[name=instructions]")
    pages.keys(browser, "Three times a week, after lunch.")
    shot("assign-form-by-keyboard")
    pages.tab_to(browser, "#assignment-form button[type=submit]")
    pages.keys(browser, Keys.ENTER)

    pages.wait_for_path(browser, patient_path)
    after = browser.find_elements(By.CSS_SELECTOR, "#assignments tr[data-assignment-id]")
    assert len(after) == before + 1


def test_the_worklist_filter_and_an_invitation_work_by_keyboard(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    pages.sign_in_by_keyboard(browser, server, *pages.THERAPIST)
    flag = "#worklist-filter select[name=flag]"
    pages.tab_to(browser, flag)
    for _ in range(12):
        if _value(browser, flag) == "low_rtw_se":
            break
        # Choosing sends nothing: a keyboard user steps through the options one arrow key at
        # a time, and each worklist read writes access-log rows (WCAG 3.2.2, on input).
        pages.keys(browser, Keys.ARROW_DOWN)
    assert _value(browser, flag) == "low_rtw_se"
    assert "flag=" not in browser.current_url, "a choice was sent before Show"
    # "Show" applies the filter in place (htmx swaps #main and pushes the URL).
    pages.tab_to(browser, "#worklist-filter button[type=submit]")
    old_main = browser.find_element(By.ID, "main")
    pages.keys(browser, Keys.ENTER)
    pages.wait_until(browser, lambda d: pages.is_stale(old_main), "the filtered list")
    pages.wait_until(browser, pages.url_has("flag=low_rtw_se"), "the filtered list's URL")
    assert "flag=low_rtw_se" in browser.current_url
    assert _value(browser, flag) == "low_rtw_se"  # the server's new page, the filter kept
    shot("worklist-filtered-by-keyboard")
    rows = browser.find_elements(By.CSS_SELECTOR, "#worklist tbody tr[data-patient-id]")
    for row in rows:
        flags = [f.get_attribute("data-flag") for f in row.find_elements(By.CSS_SELECTOR, ".flag")]
        assert "low_rtw_se" in flags, flags

    pages.tab_to(browser, "nav a[href='/console/invitations']")
    pages.keys(browser, Keys.ENTER)
    pages.wait_for_path(browser, "/console/invitations")
    pages.tab_to(browser, "#invitation-form input[name=email]")
    pages.keys(browser, "new.patient@example.com")
    pages.tab_to(browser, "#invitation-form button[type=submit]")
    pages.keys(browser, Keys.ENTER)
    pages.wait_until(
        browser,
        lambda d: any(e.text.strip() for e in d.find_elements(By.ID, "invitation-code")),
        "the invitation code",
    )


def test_a_booster_request_is_scheduled_by_keyboard(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    """On a patient of the demo therapist's own with a request of their own (the demo patient's
    is scheduled by test_console_flow.py)."""
    therapist = server.db(lambda s, db: accounts.find_by_email(db, email=pages.THERAPIST[0]))
    assert therapist is not None
    patient = server.user(
        Role.patient,
        email=f"kari-{uuid.uuid4().hex[:8]}@example.com",
        password="keyboard-patient-pass",
        name="Kari Tastatur",
        locale="nb",
    )
    server.link(patient=patient, therapist=therapist)
    request_id = server.booster_request(patient)

    pages.sign_in_by_keyboard(browser, server, *pages.THERAPIST)
    pages.tab_to(browser, f"a.patient-link[href='/console/patients/{patient.id}']")
    pages.keys(browser, Keys.ENTER)
    pages.wait_for_path(browser, f"/console/patients/{patient.id}")
    request = f"article.booster-request[data-request-id='{request_id}']"
    when = f"{request} input[name=scheduled_for]"
    pages.tab_to(browser, when)
    day = datetime.now(ZoneInfo("Europe/Oslo")).date() + timedelta(days=4)
    # en-US: month, day, year (up to six digits: the arrow leaves it), hour, minute, AM/PM
    pages.keys(browser, day.strftime("%m%d%Y"), Keys.ARROW_RIGHT, "1000A")
    assert _value(browser, when) == f"{day.isoformat()}T10:00"
    pages.tab_to(browser, f"{request} button[name=action][value=schedule]")
    pages.keys(browser, Keys.ENTER)
    pages.wait_until(
        browser,
        lambda d: any(
            a.get_attribute("data-status") == "scheduled"
            for a in d.find_elements(By.CSS_SELECTOR, request)
        ),
        "the request to read scheduled",
    )
    shot("booster-scheduled-by-keyboard")
