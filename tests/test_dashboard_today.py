"""GET /v1/me/today: the phone's home screen in one request."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine

from tests.checkin_helpers import answers, seed_scores
from tests.dashboard_helpers import NOW, assign, counted, log_att
from tests.factories import Api

TODAY = date(2026, 11, 18)


@time_machine.travel(NOW, tick=False)
def test_today_shows_what_is_due_and_what_is_done(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist, timezone="Europe/Oslo")
    assign(
        api,
        therapist,
        patient,
        exercise_kind="attention_training",
        times_per_day=2,
        starts_on="2026-11-16",
    )
    assign(
        api,
        therapist,
        patient,
        exercise_kind="worry_postponement",
        times_per_day=1,
        starts_on="2026-11-16",
        worry_time="18:30",
    )
    log_att(api, patient, "2026-11-18T07:00:00Z")
    plan = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 50}]}
    assert api.client.put("/v1/me/rtw-plan", json=plan, headers=patient.headers).status_code == 200
    api.client.put(
        f"/v1/patients/{patient.id}/rtw-completion",
        json={"rtw_completed_on": "2026-08-18"},  # 3-month follow-up due today
        headers=therapist.headers,
    )
    assert api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers).is_success

    before = api.client.get("/v1/me/today", headers=patient.headers)
    assert before.status_code == 200, before.text
    body = before.json()
    assert body["local_date"] == "2026-11-18"
    assert body["checkin_done"] is False
    counts = {a["exercise_kind"]: (a["done"], a["prescribed"]) for a in body["assignments"]}
    assert counts == {"attention_training": (1, 2), "worry_postponement": (0, 1)}
    assert body["worry_time"] == "18:30"
    assert body["diary"] == {"work_day": True, "done": False}
    assert [(f["months"], f["due_on"]) for f in body["follow_ups_due"]] == [(3, "2026-11-18")]
    assert body["booster_requests"] == {"open": 1, "scheduled": 0}
    mine = api.client.get("/v1/me/assignments", headers=patient.headers).json()["data"]
    assert body["assignments"] == mine

    api.client.put(
        f"/v1/me/checkins/{TODAY}", json={"answers": answers(4)}, headers=patient.headers
    )
    api.client.put(
        f"/v1/me/work-diary/{TODAY}", json={"worked_hours": 3.75}, headers=patient.headers
    )
    after = api.client.get("/v1/me/today", headers=patient.headers).json()
    assert after["checkin_done"] is True
    assert after["diary"] == {"work_day": True, "done": True}


@time_machine.travel("2026-11-21T10:00:00Z", tick=False)  # a Saturday
def test_a_new_patient_on_a_day_off(api: Api) -> None:
    patient = api.patient(timezone="America/New_York")
    body = api.client.get("/v1/me/today", headers=patient.headers).json()
    assert body == {
        "local_date": "2026-11-21",
        "checkin_done": False,
        "assignments": [],
        "worry_time": None,
        "diary": {"work_day": False, "done": False},
        "follow_ups_due": [],
        "booster_requests": {"open": 0, "scheduled": 0},
        "measures_due": [],
        "dialogue_meetings": [],
        "goal_steps_due": [],
    }


@time_machine.travel("2026-11-18T03:00:00Z", tick=False)
def test_today_is_the_patients_local_date(api: Api) -> None:
    # 03:00 UTC is still the 17th in New York.
    patient = api.patient(timezone="America/New_York")
    seed_scores(api, patient, {date(2026, 11, 17): 4.0})
    body = api.client.get("/v1/me/today", headers=patient.headers).json()
    assert (body["local_date"], body["checkin_done"]) == ("2026-11-17", True)


@time_machine.travel(NOW, tick=False)
def test_today_runs_the_same_statements_whatever_the_history(api: Api) -> None:
    therapist = api.therapist()
    short, long = api.patient(therapist), api.patient(therapist)
    seed_scores(api, short, {TODAY: 4.0})
    seed_scores(api, long, {TODAY - timedelta(days=d): 4.0 for d in range(300)})
    for who in (short, long):
        assign(
            api,
            therapist,
            who,
            exercise_kind="attention_training",
            times_per_day=2,
            starts_on="2026-11-05",
        )
    assign(
        api,
        therapist,
        long,
        exercise_kind="detached_mindfulness",
        times_per_week=3,
        starts_on="2026-11-06",
    )
    for day in range(6, 15):
        log_att(api, long, f"2026-11-{day:02d}T08:00:00Z")
    sizes = []
    for who in (short, long):
        with counted(api) as statements:
            assert api.client.get("/v1/me/today", headers=who.headers).status_code == 200
        sizes.append(len(statements))
    # auth 1, the assignments with the day's facts 1 (latest check-in, diary entry, RTW plan,
    # booster counts, measures due, whether there are follow-ups due, meetings on the day
    # or active goals: none here, so those are not read; see test_dashboard_today_reads.py),
    # the week's exercise counts 1
    assert sizes[0] == sizes[1]
    assert sizes[0] == 3


@time_machine.travel(NOW, tick=False)
def test_a_scheduled_booster_request_is_counted_as_scheduled(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    asked = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
    assert asked.status_code == 201, asked.text
    scheduled = api.client.patch(
        f"/v1/booster-requests/{asked.json()['id']}",
        json={"status": "scheduled", "scheduled_for": "2026-12-01T08:00:00Z"},
        headers=therapist.headers,
    )
    assert scheduled.status_code == 200, scheduled.text
    body = api.client.get("/v1/me/today", headers=patient.headers).json()
    assert body["booster_requests"] == {"open": 0, "scheduled": 1}
