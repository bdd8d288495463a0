"""Every read works without JavaScript (htmx is an enhancement): a Chromium with scripts off
signs in, reads the worklist and the patient's page with its charts' data tables, and sends a
form (an invitation)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import chrome, pages
from tests.browser.chrome import BROWSER_TEST
from tests.browser.server import LiveServer

pytestmark = BROWSER_TEST


@pytest.fixture
def scriptless() -> Iterator[WebDriver]:
    driver = chrome.new_driver(javascript=False)
    try:
        yield driver
    finally:
        driver.quit()


def test_sign_in_the_worklist_the_patient_and_a_form_work_without_javascript(
    server: LiveServer, scriptless: WebDriver
) -> None:
    scriptless.get(server.url("/console/login"))
    assert scriptless.execute_script("return typeof window.htmx") == "undefined"
    pages.sign_in(scriptless, server)
    row = pages.patient_row(scriptless)
    patient_id = row.get_attribute("data-patient-id")
    row.find_element(By.CSS_SELECTOR, "a.patient-link").click()
    pages.wait_for_path(scriptless, f"/console/patients/{patient_id}")
    tables = scriptless.find_elements(By.CSS_SELECTOR, "figure.chart table.chart-data")
    assert len(tables) >= 3
    assert all(table.find_elements(By.CSS_SELECTOR, "tbody tr") for table in tables)
    chrome.screenshot(scriptless, "without-javascript--patient")

    scriptless.get(server.url("/console/invitations"))
    scriptless.find_element(By.CSS_SELECTOR, "#invitation-form button[type=submit]").click()
    pages.wait_until(
        scriptless,
        lambda d: any(e.text.strip() for e in d.find_elements(By.ID, "invitation-code")),
        "the invitation code",
    )
    assert scriptless.execute_script("return typeof window.htmx") == "undefined"
