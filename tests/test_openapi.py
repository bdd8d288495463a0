"""openapi/openapi.json is what the app generates (run `mestring export-openapi` after changes)."""

from __future__ import annotations

import json

from app.cli import render_openapi
from app.core.config import REPO_ROOT
from app.main import create_app
from tests.conftest import make_settings


def test_checked_in_openapi_is_current() -> None:
    generated = render_openapi(create_app(make_settings("sqlite:///unused.db")).openapi())
    stored = (REPO_ROOT / "openapi" / "openapi.json").read_text()
    assert json.loads(stored) == json.loads(generated), "run: .venv/bin/mestring export-openapi"
    assert stored == generated
