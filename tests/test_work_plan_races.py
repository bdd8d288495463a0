"""A plan save racing the therapist's record of the return, with both transactions in flight.

Issue 11 item 16: `PUT …/rtw-completion` racing `PUT …/rtw-plan` for one patient deadlocked in
the follow-up scheduling on PostgreSQL, and a plan save without `version` sometimes answered a
false `plan_version_conflict` (the unique index on pending follow-ups fired). Both now lock the
patient's row first (app/accounts/locks.py), so the second waits for the first.

The race is made to happen, not hoped for: two app instances (two engines, two event loops)
share the database; the first request is held inside its transaction, after it has taken the
lock and written, while the second is sent. The test then proves the second is *waiting* (on
PostgreSQL: a backend of the test database in a lock wait; on SQLite, whose writers queue for
the whole database, it simply has not finished), releases the first, and checks that both
answer 200 and the follow-ups end up as the rules say.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.factories import Actor, Api
from tests.race_helpers import held, waits

NOW = datetime(2027, 3, 10, 10, 0, tzinfo=UTC)
PLAN = {
    "stages": [
        {"starts_on": "2027-01-04", "sick_leave_percent": 50},
        {"starts_on": "2027-03-01", "sick_leave_percent": 0},
    ]
}


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def _plan(client: TestClient, therapist: Actor, patient: Actor) -> Any:
    return client.put(f"/v1/patients/{patient.id}/rtw-plan", json=PLAN, headers=therapist.headers)


def _record(client: TestClient, therapist: Actor, patient: Actor) -> Any:
    return client.put(
        f"/v1/patients/{patient.id}/rtw-completion",
        json={"rtw_completed_on": "2027-03-08"},
        headers=therapist.headers,
    )


@pytest.mark.parametrize(
    ("first", "marker", "second"),
    [
        (_plan, "INSERT INTO RTW_PLAN_VERSIONS", _record),
        (_record, "INSERT INTO RTW_COMPLETIONS", _plan),
    ],
    ids=["plan-first", "completion-first"],
)
def test_the_second_writer_waits_for_the_first_and_both_succeed(
    api: Api, second_client: TestClient, settings: Settings, first: Any, marker: str, second: Any
) -> None:
    with time_machine.travel(NOW, tick=True):
        therapist = api.therapist()
        patient = api.patient(therapist)
        reached, release = held(second_client, marker)
        with ThreadPoolExecutor(2) as pool:
            holding: Future[Any] = pool.submit(first, second_client, therapist, patient)
            try:
                assert reached.wait(timeout=10), "the first request never reached its write"
                racing: Future[Any] = pool.submit(second, api.client, therapist, patient)
                assert waits(settings, racing), "the second request did not wait for the first"
                assert not racing.done()
            finally:
                release.set()
            results = [holding.result(timeout=30), racing.result(timeout=30)]
        assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
        # Whatever the order, the therapist's recorded return wins over the plan's 0 % stage.
        read = api.client.get(
            f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
        ).json()
        assert (read["rtw_completed_on"], read["plan_return_on"], read["full_return_on"]) == (
            "2027-03-08",
            "2027-03-01",
            "2027-03-08",
        )
        assert [(f["months"], f["due_on"], f["status"]) for f in read["follow_ups"]] == [
            (3, "2027-06-08", "pending"),
            (6, "2027-09-08", "pending"),
        ]
        plan = api.client.get(
            f"/v1/patients/{patient.id}/rtw-plan", headers=therapist.headers
        ).json()
        assert plan["version"] == 1
