"""A patient's measure writes racing each other, with both transactions in flight.

Both writes take the patient's row lock first (app/accounts/locks.py), the one lock order for
writes that touch several of a patient's rows:
- an answer and the risk alert it opens: a second answer sent meanwhile waits, and then counts
  its change from the first (without the lock it read the history without the first answer and
  said "no change");
- replacing the schedule: two replacements listing the measures in opposite orders locked the
  schedule rows in opposite orders, and PostgreSQL killed one of them as a deadlock (a 500).
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
from tests.factories import Api
from tests.measure_helpers import body
from tests.race_helpers import held, waits

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def _race(
    settings: Settings,
    first_client: TestClient,
    marker: str,
    nth: int,
    first: Any,
    second: Any,
) -> list[Any]:
    """Send `first` through `first_client`, hold it at its `nth` `marker` statement, send
    `second` (which must wait), then release; both answers, in that order."""
    reached, release = held(first_client, marker, nth)
    with ThreadPoolExecutor(2) as pool:
        held_request: Future[Any] = pool.submit(first)
        try:
            assert reached.wait(timeout=10), "the first request never reached its write"
            racing: Future[Any] = pool.submit(second)
            assert waits(settings, racing), "the second request did not wait for the first"
            assert not racing.done()
        finally:
            release.set()
        return [held_request.result(timeout=30), racing.result(timeout=30)]


def test_a_second_answer_waits_for_the_first_and_its_alert(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    with time_machine.travel(NOW, tick=True):
        patient = api.patient(api.therapist())
        url = "/v1/me/measures/phq9/responses"
        flagged = body("phq9", 13, "2026-11-18T07:00:00Z", item9=1)
        later = body("phq9", 7, "2026-11-18T08:00:00Z")
        results = _race(
            settings,
            second_client,
            "INSERT INTO RISK_ALERTS",
            1,
            lambda: second_client.post(url, json=flagged, headers=patient.headers),
            lambda: api.client.post(url, json=later, headers=patient.headers),
        )
        assert [r.status_code for r in results] == [201, 201], [r.text for r in results]
        assert results[0].json()["risk_alert"]["status"] == "open"
        assert results[1].json()["change_from_first"] == 7 - 13
        history = api.client.get(url, headers=patient.headers).json()
        assert [(r["score"], r["change_from_first"]) for r in history["data"]] == [
            (7.0, -6.0),
            (13.0, 0.0),
        ]


def test_two_schedule_replacements_in_opposite_orders_both_succeed(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    with time_machine.travel(NOW, tick=True):
        therapist = api.therapist()
        patient = api.patient(therapist)
        url = f"/v1/patients/{patient.id}/measure-schedule"

        def entries(every_days: int, *measures: str) -> dict[str, Any]:
            return {
                "schedules": [
                    {"measure": m, "every_days": every_days, "starts_on": "2026-11-18"}
                    for m in measures
                ]
            }

        results = _race(
            settings,
            second_client,
            "INSERT INTO MEASURE_SCHEDULES",
            2,  # held after its PHQ-9 row, before its GAD-7 row
            lambda: second_client.put(
                url, json=entries(14, "phq9", "gad7"), headers=therapist.headers
            ),
            lambda: api.client.put(
                url, json=entries(28, "gad7", "phq9"), headers=therapist.headers
            ),
        )
        assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
        final = api.client.get(url, headers=therapist.headers).json()
        assert sorted((s["measure"], s["every_days"]) for s in final["schedules"]) == [
            ("gad7", 28),
            ("phq9", 28),
        ]
