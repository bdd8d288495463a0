"""Fixtures of the browser tests: one live server (per xdist worker) of the real app on a
migrated, demo-seeded PostgreSQL database, and one headless Chromium driving it.

The tests are marked `browser` and `postgresql_only` (see tests/conftest.py): left out, never
skipped, with MESTRING_TEST_BROWSER=0 or without PostgreSQL; a run that selects them on a
machine without Debian's chromium and chromium-driver fails, naming the packages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import chrome
from tests.browser.server import LiveServer, live_server


@pytest.fixture(scope="session", autouse=True)
def _chromium_is_installed() -> None:
    reason = chrome.missing_browser()
    if reason is not None:
        pytest.fail(reason, pytrace=False)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture(scope="session")
def chromium() -> Iterator[WebDriver]:
    driver = chrome.new_driver()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chromium: WebDriver) -> WebDriver:
    """The shared Chromium with no cookies (no session) and an empty performance log."""
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    chrome.drain_log(chromium)
    chrome.console_errors(chromium)  # forget the previous test's
    return chromium


@pytest.fixture
def shot(browser: WebDriver, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """`shot("worklist")` saves the page as <test name>--worklist.png in the artefacts dir."""
    test = re.sub(r"[^A-Za-z0-9_]+", "-", request.node.name)

    def take(page: str) -> Path:
        return chrome.screenshot(browser, f"{test}--{page}")

    return take
