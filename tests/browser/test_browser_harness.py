"""The harness itself: the live server answers in Chromium, the browser reports the status it
received, screenshots land in the artefacts directory, and the axe check can fail."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import chrome
from tests.browser.chrome import BROWSER_TEST
from tests.browser.server import LiveServer

pytestmark = BROWSER_TEST


def test_the_live_server_answers_chromium_with_the_migrated_seeded_app(
    server: LiveServer, browser: WebDriver, shot: Callable[[str], Path]
) -> None:
    browser.get(server.url("/readyz"))
    assert chrome.status_of(browser) == 200
    assert json.loads(browser.find_element(By.TAG_NAME, "body").text) == {"status": "ready"}
    chrome.drain_log(browser)
    browser.get(server.url("/v1/no-such-route"))
    assert chrome.status_of(browser) == 404
    path = shot("not-found")
    assert path.parent == chrome.artefacts_dir()
    assert path.read_bytes().startswith(b"\x89PNG")


def test_axe_finds_a_critical_violation_and_passes_a_clean_page(browser: WebDriver) -> None:
    bad = '<!doctype html><html lang="en"><title>t</title><main><img src="x.png"></main></html>'
    browser.get("data:text/html," + quote(bad))
    found = {v["id"]: v["impact"] for v in chrome.axe_violations(browser)}
    assert found.get("image-alt") == "critical"
    with pytest.raises(AssertionError, match="image-alt"):
        chrome.axe(browser)

    good = '<!doctype html><html lang="en"><title>t</title><main><h1>Fine</h1></main></html>'
    browser.get("data:text/html," + quote(good))
    chrome.axe(browser)


def test_a_script_the_content_security_policy_refuses_is_a_console_error(
    browser: WebDriver,
) -> None:
    page = (
        '<!doctype html><html lang="en"><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'self'\"><title>t</title></head>"
        "<body><script>document.title = 'ran'</script></body></html>"
    )
    browser.get("data:text/html," + quote(page))
    assert browser.title == "t"  # the inline script did not run
    errors = chrome.console_errors(browser)
    assert any("Content Security Policy" in error for error in errors), errors
