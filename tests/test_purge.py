"""Issue 11 item 3: expiry that happens. `mestring purge` (here its service, with the clock moved)
deletes what has outlived its purpose, in batches, and is safe to run again and at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import auth_session_table, refresh_token_table
from app.core.config import Settings
from app.main import create_app
from app.privacy.retention import purge_expired
from app.throttle.models import rate_counter_table, throttle_backoff_table
from tests.factories import Api
from tests.race_helpers import read_before_write

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _count(api: Api) -> dict[str, int]:
    async def work(session: AsyncSession) -> dict[str, int]:
        return {
            table.name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (
                auth_session_table,
                refresh_token_table,
                rate_counter_table,
                throttle_backoff_table,
            )
        }

    return api.db(work)


def _purge(api: Api, now: datetime, batch: int = 2) -> dict[str, int]:
    return api.db(lambda s: purge_expired(s, settings=api.services.settings, now=now, batch=batch))


def test_ended_sessions_spent_tokens_and_expired_counters_go(api: Api) -> None:
    with time_machine.travel(START, tick=False) as clock:
        patient = api.patient()
        other = api.patient()
        for _ in range(3):  # three sessions of which two end at once
            tokens = api.login(patient.email, patient.password)
            api.client.post(
                "/v1/auth/logout",
                json={},
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
            )
        refreshed = api.client.post(
            "/v1/auth/refresh", json={"refresh_token": other.refresh_token}
        ).json()
        api.client.post(
            "/v1/auth/token", data={"username": "nobody@nowhere.example.com", "password": "x"}
        )
        # Sessions: 2 live, 3 logged out; tokens: one each, and the refreshed one's second;
        # the address counter and the unknown email's back-off (successes leave none).
        assert _count(api) == {
            "auth_sessions": 5,
            "refresh_tokens": 6,
            "rate_counters": 1,
            "throttle_backoffs": 1,
        }
        assert set(_purge(api, START).values()) == {0}  # nothing has expired yet
        assert refreshed["refresh_token"]

        # 31 days on: the logged-out sessions ended more than 30 days ago and go with their
        # tokens; every refresh token has expired (the sessions' 30-day lifetime); counters too.
        clock.move_to(START + timedelta(days=31))
        _purge(api, START + timedelta(days=31))
        assert _count(api) == {
            "auth_sessions": 2,
            "refresh_tokens": 0,
            "rate_counters": 0,
            "throttle_backoffs": 0,
        }

        # 61 days on: the two others ended (lifetime) more than 30 days ago.
        later = START + timedelta(days=61)
        clock.move_to(later)
        assert _purge(api, later, batch=1)["sessions"] == 2
        assert set(_count(api).values()) == {0}
        assert set(_purge(api, later).values()) == {0}  # idempotent


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def test_purges_running_at_once_share_the_work(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    with time_machine.travel(START, tick=False):
        patient = api.patient()
        for _ in range(6):
            api.login(patient.email, patient.password)
    later = START + timedelta(days=61)  # all 7 sessions ended more than 30 days ago

    def second_purge() -> tuple[dict[str, int], int]:
        done = _purge(api, later, batch=2)
        return done, _count(api)["auth_sessions"]

    # The first purge is held after it deleted its first batch of two sessions (their rows
    # locked, nothing committed), before it deletes tokens. On PostgreSQL the second skips
    # the locked rows (SKIP LOCKED) and purges the rest to the end meanwhile, instead of
    # waiting; on SQLite it queues behind the first.
    first, (second, left) = read_before_write(
        settings,
        second_client,
        "DELETE FROM REFRESH_TOKENS",
        lambda: _purge(Api(second_client), later, batch=2),
        second_purge,
    )
    if settings.database_url.startswith("postgresql"):
        assert left == 2  # only the first's batch, deleted but not yet committed
        assert first["sessions"] == 2  # its batch (tokens went with them) and nothing more
        assert second["sessions"] >= 5  # the five other sessions, and tokens of its own
    else:
        assert left == 0
    assert _count(api)["auth_sessions"] == 0
