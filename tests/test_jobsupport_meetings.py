"""Monthly joint meetings: recorded by therapist or counsellor, seen by the patient, and the
set-based `joint_meetings_due` the therapist's worklist is to use."""

from __future__ import annotations

import uuid
from datetime import date

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession

from app.jobsupport.meetings import joint_meetings_due
from tests.factories import Api
from tests.jobsupport_helpers import accepted, key

NOW = "2026-12-01T10:00:00Z"
TODAY = date(2026, 12, 1)


@time_machine.travel(NOW, tick=False)
def test_a_joint_meeting_is_recorded_and_the_patient_sees_it(api: Api) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    patient = api.patient(therapist)
    accepted(api, therapist, patient, counsellor)
    url = f"/v1/patients/{patient.id}/joint-meetings"
    body = {
        "held_on": "2026-11-30",
        "attended": ["patient", "therapist", "counsellor"],
        "progress": "Two of three steps of the goal done.",
        "decisions": "Ask about a quieter desk.",
    }
    created = api.client.post(url, json=body, headers=counsellor.headers | key())
    assert created.status_code == 201, created.text
    assert created.json()["next_on"] == "2026-12-30"  # one month later by default
    mine = api.client.get("/v1/me/joint-meetings", headers=patient.headers).json()["data"]
    assert [(m["held_on"], m["recorded_by_role"]) for m in mine] == [
        ("2026-11-30", "job_counsellor")
    ]
    seen = api.client.get(url, headers=therapist.headers).json()["data"]
    assert [m["id"] for m in seen] == [created.json()["id"]]
    ahead = api.client.post(
        url, json=body | {"held_on": "2026-12-02"}, headers=therapist.headers | key()
    )
    assert (ahead.status_code, ahead.json()["code"]) == (422, "held_on_in_future")
    backwards = api.client.post(
        url, json=body | {"next_on": "2026-11-30"}, headers=therapist.headers | key()
    )
    assert backwards.status_code == 422
    twice = api.client.post(
        url, json=body | {"attended": ["patient", "patient"]}, headers=therapist.headers | key()
    )
    assert twice.status_code == 422


def test_joint_meetings_due_is_one_set_based_read(api: Api) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    fresh, lapsed, booked, without = (api.patient(therapist) for _ in range(4))
    with time_machine.travel("2026-10-01T10:00:00Z", tick=False):
        api.job_support(lapsed, counsellor)  # accepted 61 days before, never met
        api.job_support(booked, counsellor)
    api.job_support(fresh, counsellor)  # accepted now
    meeting = {"held_on": (TODAY.replace(day=1)).isoformat(), "attended": ["patient"]}
    with time_machine.travel(NOW, tick=False):
        login = api.login(therapist.email, therapist.password)
        headers = {"Authorization": f"Bearer {login['access_token']}"} | key()
        made = api.client.post(
            f"/v1/patients/{booked.id}/joint-meetings", json=meeting, headers=headers
        )
        assert made.status_code == 201, made.text

    async def work(session: AsyncSession) -> set[uuid.UUID]:
        today = {p.id: TODAY for p in (fresh, lapsed, booked, without)}
        return await joint_meetings_due(session, today_by_patient=today)

    assert api.db(work) == {lapsed.id}
