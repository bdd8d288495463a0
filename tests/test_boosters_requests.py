"""Booster requests: the patient asks and cancels, the therapist triages, every move recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.models import booster_event_table, booster_request_table
from tests.factories import Actor, Api

STATUSES = ["open", "scheduled", "completed", "declined", "cancelled"]
LEGAL = {
    ("open", "scheduled"),
    ("open", "declined"),
    ("open", "cancelled"),
    ("scheduled", "completed"),
    ("scheduled", "cancelled"),
}
WHEN = "2027-04-01T08:00:00Z"


def body_for(target: str) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "scheduled": {"scheduled_for": WHEN},
        "declined": {"response": "Your next regular session is on Monday."},
    }.get(target, {})
    return {"status": target, **extra}


def add_request(api: Api, patient: Actor, status: str) -> uuid.UUID:
    request_id = uuid.uuid4()
    now = datetime.now(UTC)

    async def work(session: AsyncSession) -> None:
        await session.execute(
            insert(booster_request_table).values(
                id=request_id,
                patient_id=patient.id,
                source="patient",
                status=status,
                created_at=now,
                updated_at=now,
            )
        )
        await session.commit()

    api.db(work)
    return request_id


def events(api: Api, request_id: str) -> list[tuple[Any, ...]]:
    async def work(session: AsyncSession) -> list[tuple[Any, ...]]:
        e = booster_event_table.c
        rows = await session.execute(
            select(e.from_status, e.to_status, e.actor_id, e.actor_role)
            .where(e.request_id == uuid.UUID(request_id))
            .order_by(e.at)
        )
        return [tuple(row) for row in rows]

    return api.db(work)


@pytest.mark.parametrize("target", ["open", *STATUSES[1:]])
@pytest.mark.parametrize("current", STATUSES)
def test_transition_table(api: Api, current: str, target: str) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    request_id = add_request(api, patient, current)
    response = api.client.patch(
        f"/v1/booster-requests/{request_id}", json=body_for(target), headers=therapist.headers
    )
    if target == "open":  # never a target: the body itself is refused
        assert response.status_code == 422
    elif (current, target) in LEGAL:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target
        assert (response.json()["resolved_at"] is not None) is (target != "scheduled")
        assert events(api, str(request_id)) == [(current, target, therapist.id, "therapist")]
    else:
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "illegal_transition"
        assert events(api, str(request_id)) == []


def test_patient_asks_therapist_schedules_and_completes(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    created = api.client.post(
        "/v1/me/booster-requests",
        json={"reason": "Hard week", "preferred_times": "mornings"},
        headers=patient.headers,
    )
    assert created.status_code == 201
    request = created.json()
    assert (request["source"], request["status"], request["reason"]) == (
        "patient",
        "open",
        "Hard week",
    )
    second = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
    assert second.status_code == 409
    assert second.json()["open_request_id"] == request["id"]
    listed = api.client.get(
        "/v1/booster-requests", params={"status": "open"}, headers=therapist.headers
    ).json()
    assert [r["id"] for r in listed["data"]] == [request["id"]]
    url = f"/v1/booster-requests/{request['id']}"
    missing_time = api.client.patch(url, json={"status": "scheduled"}, headers=therapist.headers)
    assert missing_time.status_code == 422
    naive = api.client.patch(
        url,
        json={"status": "scheduled", "scheduled_for": "2027-04-01T08:00:00"},
        headers=therapist.headers,
    )
    assert naive.status_code == 422
    no_response = api.client.patch(url, json={"status": "declined"}, headers=therapist.headers)
    assert no_response.status_code == 422
    scheduled = api.client.patch(url, json=body_for("scheduled"), headers=therapist.headers)
    assert scheduled.json()["scheduled_for"] == WHEN
    mine = api.client.get("/v1/me/booster-requests", headers=patient.headers).json()
    assert mine["data"][0]["status"] == "scheduled"
    assert mine["data"][0]["scheduled_for"] == WHEN
    assert (
        api.client.get(
            "/v1/booster-requests", params={"status": "open"}, headers=therapist.headers
        ).json()["count"]
        == 0
    )
    done = api.client.patch(url, json={"status": "completed"}, headers=therapist.headers)
    assert done.json()["status"] == "completed"
    assert events(api, request["id"]) == [
        (None, "open", patient.id, "patient"),
        ("open", "scheduled", therapist.id, "therapist"),
        ("scheduled", "completed", therapist.id, "therapist"),
    ]


def test_patient_cancels_own_request_only(api: Api) -> None:
    patient, stranger = api.patient(), api.patient()
    request = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers).json()
    url = f"/v1/me/booster-requests/{request['id']}/cancel"
    foreign = api.client.post(url, headers=stranger.headers)
    random = api.client.post(
        f"/v1/me/booster-requests/{uuid.uuid4()}/cancel", headers=patient.headers
    )
    assert foreign.status_code == random.status_code == 404
    assert foreign.json() == random.json()
    cancelled = api.client.post(url, headers=patient.headers)
    assert cancelled.json()["status"] == "cancelled"
    twice = api.client.post(url, headers=patient.headers)
    assert twice.status_code == 409
    assert events(api, request["id"])[-1] == ("open", "cancelled", patient.id, "patient")


def test_at_most_three_patient_requests_per_local_day(api: Api) -> None:
    # 22:00 UTC = 23:00 in Oslo: the local day ends in an hour.
    with time_machine.travel(datetime(2027, 3, 1, 22, 0, tzinfo=UTC), tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        for _ in range(3):
            made = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
            assert made.status_code == 201
            api.client.post(
                f"/v1/me/booster-requests/{made.json()['id']}/cancel", headers=patient.headers
            )
        fourth = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
        assert fourth.status_code == 429
        assert fourth.json()["code"] == "booster_request_limit"
        assert fourth.headers["retry-after"] == "3600"
    # 23:01 UTC = 00:01 the next local day.
    with time_machine.travel(datetime(2027, 3, 1, 23, 1, tzinfo=UTC), tick=False):
        patient.access_token = api.login(patient.email, patient.password)["access_token"]
        fifth = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
        assert fifth.status_code == 201


def test_therapist_sees_and_moves_only_linked_patients_requests(api: Api) -> None:
    mine, other = api.therapist(), api.therapist()
    patient = api.patient(mine)
    outsider = api.patient(other)
    add_request(api, patient, "open")
    foreign = add_request(api, outsider, "open")
    listed = api.client.get("/v1/booster-requests", headers=mine.headers).json()
    assert [r["patient_id"] for r in listed["data"]] == [str(patient.id)]
    hidden = api.client.patch(
        f"/v1/booster-requests/{foreign}", json={"status": "cancelled"}, headers=mine.headers
    )
    random = api.client.patch(
        f"/v1/booster-requests/{uuid.uuid4()}", json={"status": "cancelled"}, headers=mine.headers
    )
    assert hidden.status_code == random.status_code == 404
    assert hidden.json() == random.json()


def test_therapist_list_pages_newest_first(api: Api) -> None:
    therapist = api.therapist()
    patients = [api.patient(therapist) for _ in range(3)]
    start = datetime.now(UTC)
    ids = []
    for i, patient in enumerate(patients):
        with time_machine.travel(start + timedelta(seconds=i), tick=False):
            ids.append(add_request(api, patient, "open"))
    first = api.client.get(
        "/v1/booster-requests", params={"limit": 2}, headers=therapist.headers
    ).json()
    assert [r["id"] for r in first["data"]] == [str(ids[2]), str(ids[1])]
    rest = api.client.get(
        "/v1/booster-requests",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=therapist.headers,
    ).json()
    assert [r["id"] for r in rest["data"]] == [str(ids[0])]
    assert rest["next_cursor"] is None
