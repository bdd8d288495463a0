"""Debian's Chromium driven by Selenium: the driver, what the browser saw (HTTP status from its
performance log), screenshots into the run's artefacts, and axe-core's accessibility check."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from app.core.config import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PACKAGES = "chromium chromium-driver"
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
# axe-core's impacts are minor, moderate, serious, critical; the console allows none of these.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
WIDTH, HEIGHT = 1280, 900
# Every browser test: PostgreSQL only (its live server's database), left out by
# MESTRING_TEST_BROWSER=0, and all on one xdist worker (`./dev test` runs --dist loadgroup), so
# a run starts one server and one Chromium.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.postgresql_only,
    pytest.mark.xdist_group("browser"),
]


def missing_browser(paths: Iterable[Path] = (CHROMIUM, CHROMEDRIVER)) -> str | None:
    """Why the browser tests cannot run here, or None. They fail on it; they never skip."""
    absent = [str(path) for path in paths if not os.access(path, os.X_OK)]
    if not absent:
        return None
    return (
        f"the browser tests need Debian's packages chromium and chromium-driver "
        f"({', '.join(absent)} not found): "
        f"`apt-get install -y {PACKAGES}` (as .ci/run does), or leave the browser tests out "
        "with MESTRING_TEST_BROWSER=0"
    )


def artefacts_dir() -> Path:
    """$MESTRING_ARTEFACTS_DIR when set, else var/artefacts/browser/ of the checkout."""
    configured = os.environ.get("MESTRING_ARTEFACTS_DIR", "").strip()
    directory = Path(configured) if configured else REPO_ROOT / "var" / "artefacts" / "browser"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def new_driver(*, accept_language: str = "en-US,en", javascript: bool = True) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--lang=en-US",  # the date inputs' field order (month/day/year) for typed dates
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(argument)
    prefs: dict[str, object] = {"intl.accept_languages": accept_language}
    if not javascript:  # the pages' scripts (htmx) never run; WebDriver's own still do
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_window_size(WIDTH, HEIGHT)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


def _performance_log(driver: WebDriver) -> list[dict[str, Any]]:
    """Chromium's performance log entries since the last read (ChromeDriver's getLog)."""
    entries: list[dict[str, Any]] = driver.execute("getLog", {"type": "performance"})["value"]
    return entries


def drain_log(driver: WebDriver) -> None:
    """Forget what the performance log holds so far (before a navigation to check)."""
    _performance_log(driver)


def status_of(driver: WebDriver) -> int:
    """The HTTP status of the page shown now, as the browser received it (after redirects,
    the last document response); call `drain_log` before the navigation."""
    statuses: list[tuple[str, int]] = []
    for entry in _performance_log(driver):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.responseReceived" and params.get("type") == "Document":
            statuses.append((params["response"]["url"], int(params["response"]["status"])))
    current = driver.current_url.split("#", 1)[0]
    matching = [status for url, status in statuses if url.split("#", 1)[0] == current]
    assert matching, f"no document response for {current} in the log: {statuses}"
    return matching[-1]


def console_errors(driver: WebDriver, *, allow: tuple[str, ...] = ()) -> list[str]:
    """The page's console errors since the last read (a Content-Security-Policy refusal, a
    script error, a resource that failed), without the favicon Chromium asks for by itself and
    those containing a text of `allow`."""
    entries: list[dict[str, Any]] = driver.execute("getLog", {"type": "browser"})["value"]
    return [
        entry["message"]
        for entry in entries
        if entry["level"] == "SEVERE"
        and "/favicon.ico" not in entry["message"]
        and not any(text in entry["message"] for text in allow)
    ]


def screenshot(driver: WebDriver, name: str) -> Path:
    """The page as shown (1280x900 window) into the artefacts directory, as NAME.png."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = artefacts_dir() / f"{safe}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot written to {path}"
    return path


_RUN_AXE = """
const done = arguments[arguments.length - 1];
window.axe.run(document, {resultTypes: ["violations"]})
  .then((results) => done({violations: results.violations}))
  .catch((error) => done({error: String(error)}));
"""


def axe_violations(driver: WebDriver) -> list[dict[str, Any]]:
    """Every axe-core violation on the page shown now (WebDriver's scripts are not bound by
    the page's Content-Security-Policy, so the vendored file is injected as it is)."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = driver.execute_async_script(_RUN_AXE)
    assert "error" not in result, f"axe-core failed on {driver.current_url}: {result['error']}"
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:200]}")
    return "\n".join(lines)


def axe(driver: WebDriver) -> None:
    """Fail when axe-core finds a violation of impact serious or critical on this page."""
    blocking = [v for v in axe_violations(driver) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core on {driver.current_url}:\n{describe(blocking)}"
