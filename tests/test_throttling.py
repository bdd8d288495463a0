"""Password guessing is slowed: failures are counted per account and per address, shared by
every worker through the database or Redis."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.factories import Api

REDIS_URL = os.environ.get("MESTRING_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _login(client: TestClient, email: str, password: str) -> int:
    response = client.post("/v1/auth/token", data={"username": email, "password": password})
    if response.status_code == 429:
        assert int(response.headers["retry-after"]) > 0
        assert response.json()["code"] == "login_throttled"
    return response.status_code


def test_sixth_failure_is_throttled_even_with_the_right_password(api: Api) -> None:
    patient = api.patient()
    statuses = [_login(api.client, patient.email, "wrong guess!") for _ in range(5)]
    assert statuses == [401] * 5
    assert _login(api.client, patient.email, "wrong guess!") == 429
    assert _login(api.client, patient.email, patient.password) == 429


def test_unknown_accounts_are_throttled_alike(api: Api) -> None:
    email = f"ghost-{uuid.uuid4().hex[:6]}@nowhere.example.com"
    assert [_login(api.client, email, "guess number x") for _ in range(6)] == [401] * 5 + [429]


def test_success_clears_the_account_count(api: Api) -> None:
    patient = api.patient()
    for _ in range(4):
        assert _login(api.client, patient.email, "wrong guess!") == 401
    assert _login(api.client, patient.email, patient.password) == 200
    for _ in range(4):
        assert _login(api.client, patient.email, "wrong guess!") == 401
    assert _login(api.client, patient.email, patient.password) == 200


def test_address_limit_spans_accounts(api: Api, settings: Settings) -> None:
    tight = settings.model_copy(update={"login_failures_per_address": 3})
    with TestClient(create_app(tight)) as client:
        for n in range(3):
            assert _login(client, f"user{n}@nowhere.example.com", "guess number x") == 401
        assert _login(client, "fresh@nowhere.example.com", "guess number x") == 429


def test_two_instances_on_one_database_share_the_count(api: Api, settings: Settings) -> None:
    patient = api.patient()
    with TestClient(create_app(settings)) as other:
        clients = [api.client, other]
        statuses = [_login(clients[n % 2], patient.email, "wrong guess!") for n in range(6)]
    assert statuses == [401] * 5 + [429]


@pytest.fixture
def redis_settings(settings: Settings) -> Settings:
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    assert connection.ping()  # Redis was asked for: fail, never skip, when it is not there
    connection.close()
    # Shared by parallel workers and later runs: accounts are unique per test, and the
    # per-address counter (every test client is "testclient") is set out of reach.
    return settings.model_copy(
        update={"redis_url": REDIS_URL, "login_failures_per_address": 1_000_000}
    )


def test_two_instances_on_one_redis_share_the_count(api: Api, redis_settings: Settings) -> None:
    patient = api.patient()
    with (
        TestClient(create_app(redis_settings)) as first,
        TestClient(create_app(redis_settings)) as second,
    ):
        statuses = [_login((first, second)[n % 2], patient.email, "wrong!!!!!") for n in range(6)]
        assert statuses == [401] * 5 + [429]
        assert _login(api.client, patient.email, patient.password) == 200  # database counter


def test_registration_is_limited_per_address(api: Api, settings: Settings) -> None:
    tight = settings.model_copy(update={"registrations_per_address": 2})
    with TestClient(create_app(tight)) as client:
        body = {
            "invitation_code": "NOPE-NOPE-NOPE",
            "email": "x@home.example.com",
            "password": "long enough pass",
            "display_name": "X",
            "timezone": "Europe/Oslo",
        }
        codes = [client.post("/v1/auth/register", json=body).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_longest_allowed_username_is_a_401_not_a_500(api: Api) -> None:
    """Found by the fuzzer: a 320-character username overflowed the counter key on PostgreSQL."""
    response = api.client.post(
        "/v1/auth/token", data={"username": "0" * 320, "password": "whatever"}
    )
    assert response.status_code == 401


def test_counters_hold_no_email(api: Api) -> None:
    from sqlalchemy import select

    from app.throttle.models import rate_counter_table

    _login(api.client, "private.person@home.example.com", "wrong guess!")

    async def keys(session: Any) -> list[str]:
        return list(await session.scalars(select(rate_counter_table.c.key)))

    stored = api.db(keys)
    assert stored
    assert not any("private.person" in key for key in stored)
