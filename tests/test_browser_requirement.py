"""The browser tests' requirement on the machine: without Debian's chromium and chromium-driver
they fail with a message naming the packages; MESTRING_TEST_BROWSER=0 deselects them (never a
skip), as leaving PostgreSQL out deselects the PostgreSQL-only tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.browser.chrome import missing_browser

REPO = Path(__file__).resolve().parents[1]


def test_a_missing_chromium_or_driver_is_named_with_the_packages(tmp_path: Path) -> None:
    present = Path(sys.executable)
    assert missing_browser([present, present]) is None
    reason = missing_browser([present, tmp_path / "chromedriver"])
    assert reason is not None
    assert str(tmp_path / "chromedriver") in reason
    assert "chromium chromium-driver" in reason
    assert "MESTRING_TEST_BROWSER=0" in reason


def _collect(**env: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:randomly",
            "-n",
            "0",
            "--co",
            "-q",
            "tests/browser",
        ],
        cwd=REPO,
        env={**os.environ, "MESTRING_TEST_DBS": "sqlite,postgresql", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.stdout


def test_mestring_test_browser_0_deselects_the_browser_tests_and_skips_none() -> None:
    """One real collection in a child process (the selected case is every other run)."""
    left_out = _collect(MESTRING_TEST_BROWSER="0")
    assert "::" not in left_out, left_out  # no test id listed: none collected
    assert "deselected" in left_out, left_out
    assert "skipped" not in left_out, left_out
