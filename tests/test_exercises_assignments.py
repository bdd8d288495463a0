"""Assignments: what a prescription must say, and who may change it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from tests.factories import Api

# A fixed clock: a date taken at import time drifts from the server's "today" near midnight.
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def base(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "exercise_kind": "attention_training",
        "times_per_day": 2,
        "starts_on": TODAY.isoformat(),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    "body",
    [
        base(times_per_week=3),
        base(times_per_day=None),
        base(times_per_day=0),
        base(times_per_day=7),
        base(worry_time="18:00"),
        base(exercise_kind="worry_postponement"),
        base(exercise_kind="worry_postponement", worry_time="24:00"),
        base(exercise_kind="worry_postponement", worry_time="6pm"),
        base(ends_on=(TODAY - timedelta(days=1)).isoformat()),
        base(instructions="x" * 2001),
        base(exercise_kind="yoga"),
        base(colour="blue"),
    ],
)
def test_invalid_prescriptions_are_422(api: Api, body: dict[str, Any]) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    url = f"/v1/patients/{patient.id}/assignments"
    response = api.client.post(url, json=body, headers=therapist.headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"
    assert api.client.get(url, headers=therapist.headers).json()["count"] == 0


def test_a_start_more_than_two_weeks_back_is_refused(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist, timezone="UTC")
    url = f"/v1/patients/{patient.id}/assignments"
    old = base(starts_on=(TODAY - timedelta(days=15)).isoformat())
    response = api.client.post(url, json=old, headers=therapist.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "starts_on_too_early"
    ok = base(starts_on=(TODAY - timedelta(days=14)).isoformat())
    assert api.client.post(url, json=ok, headers=therapist.headers).status_code == 201


def test_patch_rules_and_access(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist, timezone="UTC")
    made = api.client.post(
        f"/v1/patients/{patient.id}/assignments",
        json=base(exercise_kind="worry_postponement", times_per_day=1, worry_time="18:00"),
        headers=therapist.headers,
    ).json()
    url = f"/v1/assignments/{made['id']}"
    moved = api.client.patch(
        url, json={"worry_time": "19:30", "instructions": "Kort."}, headers=therapist.headers
    )
    assert moved.status_code == 200
    assert (moved.json()["worry_time"], moved.json()["instructions"]) == ("19:30", "Kort.")
    cleared = api.client.patch(url, json={"worry_time": None}, headers=therapist.headers)
    assert cleared.json()["code"] == "worry_time_required"
    empty = api.client.patch(url, json={}, headers=therapist.headers)
    assert empty.status_code == 422
    weekly = api.client.patch(url, json={"times_per_week": 5}, headers=therapist.headers)
    assert (weekly.json()["times_per_day"], weekly.json()["times_per_week"]) == (None, 5)
    # Same-day changes replace each other instead of piling up.
    assert len(weekly.json()["dose_history"]) == 1
    random = api.client.patch(
        f"/v1/assignments/{uuid.uuid4()}", json={"paused": True}, headers=therapist.headers
    )
    assert random.status_code == 404
    assert random.json()["code"] == "assignment_not_found"
    # After the patient moves to another therapist, the first one can no longer change it.
    other = api.therapist()
    api.link(patient, other)
    gone = api.client.patch(url, json={"paused": True}, headers=therapist.headers)
    assert gone.json() == random.json()
    assert (
        api.client.patch(url, json={"paused": True}, headers=other.headers).json()["status"]
        == "paused"
    )
