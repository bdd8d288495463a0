"""Two writes for one patient racing, with both transactions in flight (tests/race_helpers.py).

Saving the communication plan reads its version and then inserts or updates; creating a goal
or a meeting looks the id up and then inserts. Each takes the patient's row lock first
(app/accounts/locks.py), so the second waits for the first: two saves without `version` give
versions 1 and 2 (not a primary-key violation, a 500), and a goal sent twice at once is stored
once (201, then 200 with the stored goal).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.factories import Actor, Api
from tests.race_helpers import held, waits

ENTRY = {"audience": "manager", "what": "That I am on leave", "how_much": "on_sick_leave"}


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def _race(
    api: Api,
    second_client: TestClient,
    settings: Settings,
    marker: str,
    send: Callable[[TestClient], Any],
) -> list[Any]:
    reached, release = held(second_client, marker)
    with ThreadPoolExecutor(2) as pool:
        holding: Future[Any] = pool.submit(send, second_client)
        try:
            assert reached.wait(timeout=10), "the first request never reached its write"
            racing: Future[Any] = pool.submit(send, api.client)
            assert waits(settings, racing), "the second request did not wait for the first"
        finally:
            release.set()
        return [holding.result(timeout=30), racing.result(timeout=30)]


@pytest.mark.parametrize(
    "held_at", ["INSERT INTO COMMUNICATION_PLAN_VERSIONS", "SELECT COMMUNICATION_SUGGESTIONS"]
)
def test_two_plan_saves_at_once_become_two_versions(
    api: Api, second_client: TestClient, settings: Settings, held_at: str
) -> None:
    """Held at its write or at the read of its answer (the suggestions, the answer's last
    statement), the first save still holds the patient's lock: the second waits, and each
    answers with the version it wrote. The answer is read before the commit: read after it,
    the second save could slip in on PostgreSQL and the first would answer with the second's
    version -- and a phone sending that version back would overwrite the other save unseen.
    (On SQLite the read after the commit opens a writer's transaction again, so there this
    race cannot happen.)"""
    patient: Actor = api.patient()

    def save(client: TestClient) -> Any:
        return client.put(
            "/v1/me/communication-plan", json={"entries": [ENTRY]}, headers=patient.headers
        )

    results = _race(api, second_client, settings, held_at, save)
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    assert [r.json()["version"] for r in results] == [1, 2]


def test_a_goal_sent_twice_at_once_is_stored_once(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    patient: Actor = api.patient()
    body = {"id": str(uuid.uuid4()), "title": "Join the Monday meeting"}

    def create(client: TestClient) -> Any:
        return client.post("/v1/me/goals", json=body, headers=patient.headers)

    results = _race(api, second_client, settings, "INSERT INTO WORK_GOALS", create)
    assert [r.status_code for r in results] == [201, 200], [r.text for r in results]
    assert results[0].json() == results[1].json()
    assert api.client.get("/v1/me/goals", headers=patient.headers).json()["count"] == 1
