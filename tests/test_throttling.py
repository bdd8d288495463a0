"""Password guessing is slowed: failures are counted per account and per address, shared by
every worker through the database or Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.factories import Api
from tests.race_helpers import race, sent

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


# --- Issue 11: atomic counts, back-off instead of a wall, trusted proxies ---------------------

BASE = "2026-11-23T08:00:00Z"


def _wait(client: TestClient, email: str, password: str) -> tuple[int, int | None]:
    response = client.post("/v1/auth/token", data={"username": email, "password": password})
    retry_after = response.headers.get("retry-after")
    return response.status_code, int(retry_after) if retry_after else None


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_guess_racing_the_last_free_one_waits_for_its_count_and_is_refused(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    """Item 6, made to happen: the fifth failure is held once its upsert has counted it and
    set the first wait (the back-off row locked, nothing committed); a sixth guess at that
    moment waits for the row, then finds the account blocked: 429, its password never
    checked, although the fifth was not committed when it arrived."""
    patient = api.patient()
    for _ in range(4):
        assert _login(api.client, patient.email, "wrong!!!!") == 401
    with sent(api.client) as statements:
        fifth, sixth = race(
            settings,
            second_client,
            "INSERT INTO THROTTLE_BACKOFFS",
            lambda: _login(second_client, patient.email, "wrong!!!!"),
            lambda: _login(api.client, patient.email, "wrong!!!!"),
            after=True,
        )
    assert (fifth, sixth) == (401, 429)
    # The refusal branch: the upsert's WHERE kept the row, so it read how long to wait; the
    # account was never looked up.
    assert any(s.startswith("SELECT throttle_backoffs.blocked_until") for s in statements)
    assert not any(s.startswith("SELECT users.") for s in statements), statements


def test_twelve_concurrent_wrong_passwords_get_exactly_five_401s(api: Api) -> None:
    """Item 6: the check and the count are one atomic step, so concurrency cannot slip extra
    guesses under the limit (real threads; on PostgreSQL real concurrent transactions)."""
    patient = api.patient()
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(
            pool.map(lambda _: _login(api.client, patient.email, "wrong!!!!"), range(12))
        )
    assert sorted(statuses) == [401] * 5 + [429] * 7


def test_twelve_concurrent_wrong_current_passwords_get_exactly_five_400s(api: Api) -> None:
    """Item 5 and 6: the password change backs off per account like login, atomically."""
    patient = api.patient()

    def change(_: int) -> int:
        response = api.client.post(
            "/v1/me/password",
            json={"current_password": "not my password", "new_password": "a brand new phrase"},
            headers=patient.headers,
        )
        if response.status_code == 429:
            assert response.json()["code"] == "password_throttled"
        return response.status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(change, range(12)))
    assert sorted(statuses) == [400] * 5 + [429] * 7


def test_each_failure_doubles_the_wait_up_to_fifteen_minutes(api: Api) -> None:
    """Item 7: never a fixed wall. Five free failures, then 30 s, 60 s, … 900 s at most."""
    with time_machine.travel(BASE, tick=False) as clock:
        patient = api.patient()
        assert [_wait(api.client, patient.email, "wrong!!!!")[0] for _ in range(5)] == [401] * 5
        waits = []
        for _ in range(8):
            status, retry_after = _wait(api.client, patient.email, "wrong!!!!")
            assert status == 429
            assert retry_after is not None
            waits.append(retry_after)
            clock.shift(retry_after)
            assert _wait(api.client, patient.email, "wrong!!!!")[0] == 401
        assert waits == [30, 60, 120, 240, 480, 900, 900, 900]


def test_someone_elses_guesses_delay_the_owner_by_seconds_and_a_success_resets(api: Api) -> None:
    """Item 7: five wrong guesses by a stranger cost the owner one wait of 30 s, no lock-out."""
    with time_machine.travel(BASE, tick=False) as clock:
        patient = api.patient()
        for _ in range(5):
            assert _wait(api.client, patient.email, "a stranger's guess")[0] == 401
        status, retry_after = _wait(api.client, patient.email, patient.password)
        assert (status, retry_after) == (429, 30)
        clock.shift(30)
        assert _wait(api.client, patient.email, patient.password)[0] == 200
        # The success reset the count: the next mistakes are free again.
        assert [_wait(api.client, patient.email, "typo!!!!!")[0] for _ in range(4)] == [401] * 4
        assert _wait(api.client, patient.email, patient.password)[0] == 200


def test_per_address_only_failures_count(api: Api, settings: Settings) -> None:
    """Item 7: a clinic behind one address logs in all day; only failures use up its limit."""
    tight = settings.model_copy(update={"login_failures_per_address": 3})
    patient = api.patient()
    with TestClient(create_app(tight)) as client:
        assert [_login(client, patient.email, patient.password) for _ in range(10)] == [200] * 10
        for n in range(3):
            assert _login(client, f"guess{n}@nowhere.example.com", "guess number x") == 401
        assert _login(client, patient.email, patient.password) == 429


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(api: Api, settings: Settings) -> None:
    """Item 7: behind a configured proxy each client has its own count; anyone else's
    X-Forwarded-For is ignored, and what a client writes into the header itself never counts."""
    proxied = settings.model_copy(
        update={"login_failures_per_address": 2, "forwarded_allow_ips": ["10.0.0.0/8"]}
    )

    def fail(client: TestClient, forwarded: str) -> int:
        response = client.post(
            "/v1/auth/token",
            data={"username": f"{uuid.uuid4().hex[:8]}@nowhere.example.com", "password": "x" * 12},
            headers={"X-Forwarded-For": forwarded},
        )
        return response.status_code

    with TestClient(create_app(proxied), client=("10.1.2.3", 40000)) as behind_proxy:
        assert [fail(behind_proxy, "203.0.113.9") for _ in range(2)] == [401, 401]
        assert fail(behind_proxy, "203.0.113.9") == 429
        # A client pretending to be someone else: the proxy appends the real address.
        assert fail(behind_proxy, "198.51.100.7, 203.0.113.9") == 429
        assert fail(behind_proxy, "198.51.100.7") == 401  # another client
    with TestClient(create_app(proxied), client=("192.0.2.50", 40000)) as direct:
        # Not a trusted proxy: its header is ignored, all count against the peer.
        assert [fail(direct, f"203.0.113.{n}") for n in range(3)] == [401, 401, 429]


def test_redis_counts_atomically_and_backs_off_alike(api: Api, redis_settings: Settings) -> None:
    """Item 6 on the Redis backend: the back-off is one Lua script, the windows `limits`'
    atomic hit; twelve concurrent wrong passwords still get exactly five 401s."""
    patient = api.patient()
    with TestClient(create_app(redis_settings)) as client:
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(
                pool.map(lambda _: _login(client, patient.email, "wrong!!!"), range(12))
            )
        assert sorted(statuses) == [401] * 5 + [429] * 7
        status, retry_after = _wait(client, patient.email, patient.password)
        assert status == 429
        assert retry_after is not None
        assert 1 <= retry_after <= 30
