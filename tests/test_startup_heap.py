"""A served app moves its start-up heap out of the cyclic collector's view (issue 12); the
test environment, which builds an app per test, does not."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # give the frozen objects back to the collector


@pytest.mark.usefixtures("unfrozen")
def test_a_served_app_freezes_its_start_up_heap(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    settings = make_settings(url, env="development", inprocess_worker=False)
    app = create_app(settings)
    assert gc.get_freeze_count() == 0
    with TestClient(app):
        assert gc.get_freeze_count() > 10_000  # the modules, routes and models at least


@pytest.mark.usefixtures("unfrozen")
def test_the_test_environment_freezes_nothing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    with TestClient(create_app(make_settings(url))):
        assert gc.get_freeze_count() == 0
