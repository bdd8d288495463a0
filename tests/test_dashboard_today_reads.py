"""GET /v1/me/today reads the measures in its one-row statement and reads follow-ups, the
day's meetings and goal steps only when that row says there are some: the same answers as
the domains' own reads, and the statements that are left."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import time_machine

from tests.checkin_helpers import relogin
from tests.dashboard_helpers import NOW, assign, counted
from tests.factories import Actor, Api
from tests.measure_helpers import answer, schedule
from tests.workfocus_helpers import key

TODAY = date(2026, 11, 18)


def _today(api: Api, patient: Actor) -> tuple[dict[str, Any], int]:
    with counted(api) as statements:
        response = api.client.get("/v1/me/today", headers=patient.headers)
    assert response.status_code == 200, response.text
    return response.json(), len(statements)


def _twice_daily(api: Api, therapist: Actor, patient: Actor, *, starts_on: str) -> None:
    """Attention training twice a day from `starts_on`."""
    assign(
        api,
        therapist,
        patient,
        exercise_kind="attention_training",
        times_per_day=2,
        starts_on=starts_on,
    )


def test_the_measures_due_today_are_those_of_the_measures_endpoint(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    with time_machine.travel("2026-11-02T08:00:00Z", tick=False):
        relogin(api, therapist)
        made = schedule(
            api,
            therapist,
            patient,
            {"measure": "phq9", "every_days": 14, "starts_on": "2026-11-02"},
            {"measure": "gad7", "every_days": 7, "starts_on": "2026-11-04"},
        )
        assert made.status_code == 200, made.text
    answered = {date(2026, 11, 3): "phq9", date(2026, 11, 12): "gad7", date(2026, 11, 22): "gad7"}
    seen: set[tuple[str, str]] = set()
    for offset in range(24):
        day = date(2026, 11, 2) + timedelta(days=offset)
        with time_machine.travel(f"{day.isoformat()}T09:00:00Z", tick=False):
            relogin(api, patient)
            if day in answered:
                answer(api, patient, answered[day], 5, f"{day.isoformat()}T08:30:00Z")
            due = api.client.get("/v1/me/measures/due", headers=patient.headers).json()["data"]
            body, _ = _today(api, patient)
            assert body["measures_due"] == due, day
            seen.update((d["measure"], d["status"]) for d in due)
    # both measures, due and overdue, were met on the way
    assert seen == {("phq9", "due"), ("phq9", "overdue"), ("gad7", "due"), ("gad7", "overdue")}


@time_machine.travel(NOW, tick=False)
def test_without_assignments_today_no_logs_are_counted(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    _twice_daily(api, therapist, patient, starts_on="2026-11-19")  # from tomorrow
    body, statements = _today(api, patient)
    assert body["assignments"] == []
    assert statements == 2  # auth 1, the assignments with the day's facts 1


@time_machine.travel(NOW, tick=False)
def test_today_reads_follow_ups_meetings_and_goals_only_when_there_are_some(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    _twice_daily(api, therapist, patient, starts_on="2026-11-05")
    made = schedule(
        api, therapist, patient, {"measure": "phq9", "every_days": 14, "starts_on": "2026-11-18"}
    )
    assert made.status_code == 200, made.text
    body, quiet = _today(api, patient)
    # auth 1, the assignments with the day's facts 1 (check-in, diary, plan, boosters, measures,
    # whether there are follow-ups due, meetings on the day, active goals), day counts 1
    assert quiet == 3
    assert [(d["measure"], d["status"]) for d in body["measures_due"]] == [("phq9", "due")]
    assert (body["follow_ups_due"], body["dialogue_meetings"], body["goal_steps_due"]) == (
        [],
        [],
        [],
    )

    meeting = {
        "id": str(uuid.uuid4()),
        "starts_at": "2026-11-18T13:00:00Z",
        "participants": [{"role": "gp"}],
    }
    sent = api.client.post(
        "/v1/me/dialogue-meetings", json=meeting, headers=patient.headers | key()
    )
    assert sent.status_code == 201, sent.text
    body, with_meeting = _today(api, patient)
    assert with_meeting == quiet + 1
    assert [m["id"] for m in body["dialogue_meetings"]] == [meeting["id"]]

    step = {"id": str(uuid.uuid4()), "text": "Ask for the agenda", "due_on": "2026-11-18"}
    goal = {"id": str(uuid.uuid4()), "title": "A goal", "status": "active", "steps": [step]}
    sent = api.client.post("/v1/me/goals", json=goal, headers=patient.headers | key())
    assert sent.status_code == 201, sent.text
    body, with_goal = _today(api, patient)
    assert with_goal == quiet + 2
    assert [s["step_id"] for s in body["goal_steps_due"]] == [step["id"]]

    completed = api.client.put(
        f"/v1/patients/{patient.id}/rtw-completion",
        json={"rtw_completed_on": "2026-08-18"},  # the 3-month follow-up is due today
        headers=therapist.headers,
    )
    assert completed.status_code == 200, completed.text
    body, with_follow_up = _today(api, patient)
    assert with_follow_up == quiet + 3
    assert [(f["months"], f["due_on"]) for f in body["follow_ups_due"]] == [(3, "2026-11-18")]
