"""What a user does in the console, in the browser: sign in (by mouse or by keyboard alone),
follow a link or post a form and wait for the page that answers."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.server import LiveServer

THERAPIST = ("therapist@demo.example.com", "demo-therapist-pass")
PATIENT = ("patient@demo.example.com", "demo-patient-pass")
PATIENT_NAME = "Per Pasient"
WAIT_SECONDS = 15
MAX_TABS = 60  # more TAB presses than any console page has focusable elements


def path_of(driver: WebDriver) -> str:
    return urlsplit(driver.current_url).path


def wait_until(driver: WebDriver, condition: Callable[[WebDriver], object], what: str) -> None:
    """Wait for `condition` (htmx may update in place, so no page-load event is assumed)."""
    # An element read while the page is being replaced (a navigation, an htmx swap) is stale:
    # look again.
    WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: condition(d) and d.execute_script("return document.readyState") == "complete",
        message=f"waited {WAIT_SECONDS} s for {what}; at {driver.current_url}",
    )


def url_has(text: str) -> Callable[[WebDriver], bool]:
    return lambda driver: text in driver.current_url


def is_stale(element: WebElement) -> bool:
    """True once the element's page has been replaced."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    return False


def wait_for_path(driver: WebDriver, path: str) -> None:
    try:
        wait_until(driver, lambda d: path_of(d) == path, f"the page {path}")
    except TimeoutException as exc:
        said = [alert.text for alert in alerts(driver)]
        raise AssertionError(f"{exc.msg}; the page's alerts: {said}") from None


def main(driver: WebDriver) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, "main#main")


def alerts(driver: WebDriver) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#main [role=alert]")


def html_lang(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang") or ""


def fill_login(driver: WebDriver, server: LiveServer, email: str, password: str) -> None:
    driver.get(server.url("/console/login"))
    form = driver.find_element(By.CSS_SELECTOR, "form#login-form")
    form.find_element(By.CSS_SELECTOR, "input[name=email][type=email]").send_keys(email)
    form.find_element(By.CSS_SELECTOR, "input[name=password][type=password]").send_keys(password)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def sign_in(
    driver: WebDriver, server: LiveServer, credentials: tuple[str, str] = THERAPIST
) -> None:
    fill_login(driver, server, *credentials)
    wait_for_path(driver, "/console/worklist")


def sign_out(driver: WebDriver) -> None:
    driver.find_element(By.CSS_SELECTOR, "form#logout-form button[type=submit]").click()
    wait_for_path(driver, "/console/login")


def focused(driver: WebDriver, css: str) -> bool:
    matched: bool = driver.execute_script(
        "return document.activeElement !== null && document.activeElement.matches(arguments[0])",
        css,
    )
    return matched


def tab_to(driver: WebDriver, css: str) -> None:
    """Press TAB until the element matching `css` has the focus (fail if it never gets it)."""
    for _ in range(MAX_TABS):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if focused(driver, css):
            return
    raise AssertionError(f"{MAX_TABS} TAB presses never reached {css} on {driver.current_url}")


def keys(driver: WebDriver, *typed: str) -> None:
    """Type into whatever has the focus, as a keyboard would."""
    ActionChains(driver).send_keys(*typed).perform()


def sign_in_by_keyboard(driver: WebDriver, server: LiveServer, email: str, password: str) -> None:
    driver.get(server.url("/console/login"))
    tab_to(driver, "#login-form input[name=email]")
    keys(driver, email)
    tab_to(driver, "#login-form input[name=password]")
    keys(driver, password)
    tab_to(driver, "#login-form button[type=submit]")
    keys(driver, Keys.ENTER)
    wait_for_path(driver, "/console/worklist")


def patient_row(driver: WebDriver, name: str = PATIENT_NAME) -> WebElement:
    rows = [
        row
        for row in driver.find_elements(By.CSS_SELECTOR, "table#worklist tbody tr[data-patient-id]")
        if row.find_element(By.CSS_SELECTOR, "a.patient-link").text.strip() == name
    ]
    assert len(rows) == 1, f"{len(rows)} worklist rows for {name!r}"
    return rows[0]


def open_patient(driver: WebDriver, server: LiveServer) -> str:
    """From a signed-in session: the worklist, then the demo patient's page; the patient id."""
    driver.get(server.url("/console/worklist"))
    row = patient_row(driver)
    patient_id = row.get_attribute("data-patient-id") or ""
    row.find_element(By.CSS_SELECTOR, "a.patient-link").click()
    wait_for_path(driver, f"/console/patients/{patient_id}")
    return patient_id
