"""Local days where the clock really moves: Oslo's daylight-saving changes, a patient who moves
to another time zone, ISO weeks 52/53/01, and the refresh grace window to the second.

Oslo (Europe/Oslo) springs forward on Sunday 28 March 2027 at 01:00 UTC (02:00 -> 03:00 local:
the local day is 23 hours, 27 March 23:00 UTC .. 28 March 22:00 UTC) and falls back on Sunday
25 October 2026 at 01:00 UTC (03:00 -> 02:00 local: the day is 25 hours, 24 October 22:00 UTC
.. 25 October 23:00 UTC). A rule that counts a local day as 24 hours from its midnight, or
keeps one UTC offset for the whole day, is wrong by an hour at one of its ends; each case
below sits in that hour.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from tests.checkin_helpers import answers, relogin
from tests.factories import Actor, Api


def at(moment: str) -> Any:
    return time_machine.travel(datetime.fromisoformat(moment), tick=False)


def checkin(api: Api, patient: Actor, day: str) -> Any:
    return api.client.put(
        f"/v1/me/checkins/{day}", json={"answers": answers(4)}, headers=patient.headers
    )


def today(api: Api, patient: Actor) -> dict[str, Any]:
    response = api.client.get("/v1/me/today", headers=patient.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def refused(response: Any) -> str:
    assert response.status_code == 422, response.text
    return str(response.json()["code"])


@pytest.mark.parametrize(
    ("last_minute", "first_minute", "day", "next_day", "oldest"),
    [
        # spring forward: 23:59 on the 28th is 21:59 UTC, midnight is 22:00 UTC
        ("2027-03-28T21:59:00Z", "2027-03-28T22:00:00Z", "2027-03-28", "2027-03-29", "2027-03-26"),
        # fall back: 23:59 on the 25th is 22:59 UTC, midnight is 23:00 UTC
        ("2026-10-25T22:59:00Z", "2026-10-25T23:00:00Z", "2026-10-25", "2026-10-26", "2026-10-23"),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_check_in_window_and_today_across_a_daylight_saving_change(
    api: Api, last_minute: str, first_minute: str, day: str, next_day: str, oldest: str
) -> None:
    with at(last_minute):
        patient = api.patient(timezone="Europe/Oslo")
        assert today(api, patient)["local_date"] == day
        assert refused(checkin(api, patient, next_day)) == "checkin_date_future"
        assert checkin(api, patient, oldest).status_code == 201  # two days back: still open
        assert checkin(api, patient, day).status_code == 201
    with at(first_minute):
        relogin(api, patient)
        assert today(api, patient)["local_date"] == next_day
        assert today(api, patient)["checkin_done"] is False
        assert checkin(api, patient, next_day).status_code == 201
        assert refused(checkin(api, patient, oldest)) == "checkin_date_too_old"


@pytest.mark.parametrize(
    ("morning", "last_hour", "next_midnight", "left"),
    [
        # 28 March 2027 ends at 22:00 UTC; at 21:30 UTC half an hour of it is left
        ("2027-03-28T08:00:00Z", "2027-03-28T21:30:00Z", "2027-03-28T22:00:00Z", 1800),
        # 25 October 2026 ends at 23:00 UTC; at 22:30 UTC (23:30 local) half an hour is left
        ("2026-10-25T08:00:00Z", "2026-10-25T22:30:00Z", "2026-10-25T23:00:00Z", 1800),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_the_booster_day_limit_is_the_patients_local_day(
    api: Api, morning: str, last_hour: str, next_midnight: str, left: int
) -> None:
    with at(morning):
        patient = api.patient(timezone="Europe/Oslo")
        for _ in range(3):
            made = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
            assert made.status_code == 201, made.text
            cancelled = api.client.post(
                f"/v1/me/booster-requests/{made.json()['id']}/cancel", headers=patient.headers
            )
            assert cancelled.status_code == 200, cancelled.text
    with at(last_hour):
        relogin(api, patient)
        fourth = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
        assert fourth.status_code == 429, fourth.text
        assert fourth.json()["code"] == "booster_request_limit"
        assert fourth.headers["retry-after"] == str(left)
    with at(next_midnight):
        relogin(api, patient)
        fresh = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
        assert fresh.status_code == 201, fresh.text


def test_a_follow_up_due_on_the_fall_back_day_is_due_from_its_local_midnight(api: Api) -> None:
    # Return on 25 July 2026: the 3-month follow-up is due on 25 October, the day Oslo falls
    # back. At 23:30 on the 24th (21:30 UTC, summer time) it is not due; at 00:30 on the 25th
    # (22:30 UTC, still summer time until 01:00 UTC) it is.
    answer = {"still_working": True, "needs_booster": False}
    with at("2026-10-24T21:30:00Z"):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        done = api.client.put(
            f"/v1/patients/{patient.id}/rtw-completion",
            json={"rtw_completed_on": "2026-07-25"},
            headers=therapist.headers,
        )
        assert done.status_code == 200, done.text
        three = done.json()["follow_ups"][0]
        assert (three["months"], three["due_on"]) == (3, "2026-10-25")
        assert today(api, patient)["follow_ups_due"] == []
        early = api.client.post(
            f"/v1/me/follow-ups/{three['id']}/answer", json=answer, headers=patient.headers
        )
        assert (early.status_code, early.json()["code"]) == (409, "follow_up_not_due")
    with at("2026-10-24T22:30:00Z"):
        relogin(api, patient)
        assert [f["id"] for f in today(api, patient)["follow_ups_due"]] == [three["id"]]
        answered = api.client.post(
            f"/v1/me/follow-ups/{three['id']}/answer", json=answer, headers=patient.headers
        )
        assert answered.status_code == 200, answered.text


def test_a_patient_who_moves_from_oslo_to_auckland_lives_on_auckland_days(api: Api) -> None:
    # 12:00 UTC on 10 January 2027 is 13:00 on the 10th in Oslo and 01:00 on the 11th in
    # Auckland (UTC+13 in summer). What was written on Oslo's 10th stays there; from the move
    # on, "today" is Auckland's 11th for the check-in, the logs and the home screen.
    with at("2027-01-10T12:00:00Z"):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        made = api.client.post(
            f"/v1/patients/{patient.id}/assignments",
            json={
                "exercise_kind": "attention_training",
                "times_per_day": 1,
                "starts_on": "2027-01-04",
            },
            headers=therapist.headers,
        )
        assert made.status_code == 201, made.text
        assert checkin(api, patient, "2027-01-10").status_code == 201
        oslo_log = log_att(api, patient, "2027-01-10T11:00:00Z")
        assert oslo_log["local_date"] == "2027-01-10"
        before = today(api, patient)
        assert (before["local_date"], before["checkin_done"]) == ("2027-01-10", True)
        assert [a["done"] for a in before["assignments"]] == [1]

        moved = api.client.patch(
            "/v1/me", json={"timezone": "Pacific/Auckland"}, headers=patient.headers
        )
        assert moved.status_code == 200, moved.text
        after = today(api, patient)
        assert (after["local_date"], after["checkin_done"]) == ("2027-01-11", False)
        assert [a["done"] for a in after["assignments"]] == [0]
        assert refused(checkin(api, patient, "2027-01-12")) == "checkin_date_future"
        assert checkin(api, patient, "2027-01-11").status_code == 201
        auckland_log = log_att(api, patient, "2027-01-10T11:55:00Z")  # 00:55 on the 11th
        assert auckland_log["local_date"] == "2027-01-11"
        done = today(api, patient)
        assert (done["checkin_done"], [a["done"] for a in done["assignments"]]) == (True, [1])
        days = api.client.get("/v1/me/checkins", headers=patient.headers).json()["data"]
        assert [c["local_date"] for c in days] == ["2027-01-10", "2027-01-11"]
        logs = api.client.get("/v1/me/exercise-logs", headers=patient.headers).json()["data"]
        assert sorted(entry["local_date"] for entry in logs) == ["2027-01-10", "2027-01-11"]


def log_att(api: Api, patient: Actor, started_at: str) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "exercise_kind": "attention_training",
        "started_at": started_at,
        "duration_seconds": 700,
        "phases_completed": ["selective", "switching", "divided"],
        "self_focus_before": 1,
        "self_focus_after": 0,
    }
    response = api.client.post("/v1/me/exercise-logs", json=body, headers=patient.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_iso_weeks_52_53_and_01_in_the_work_summary(api: Api) -> None:
    # 2026 has 53 ISO weeks: W52 is 21-27 December, W53 is 28 December 2026 - 3 January 2027
    # (it holds New Year's Day, which is not subtracted), W01 of 2027 starts on 4 January.
    # 50 % sick leave: 3.75 h a weekday is the plan.
    # The diary takes entries up to 14 days back, so they are written in two sittings.
    sittings = {
        "2026-12-28T10:00:00Z": {f"2026-12-{d}": 3.0 for d in (21, 22, 23, 24)},  # W52: 12 h
        "2027-01-06T10:00:00Z": {  # Wednesday of 2027-W01
            **{f"2026-12-{d}": 3.75 for d in (28, 29, 30, 31)},
            "2027-01-01": 3.75,  # W53: 18.75 h
            "2027-01-04": 3.75,
            "2027-01-05": 3.75,  # W01: 7.5 h so far
        },
    }
    patient = None
    for moment, hours in sittings.items():
        with at(moment):
            if patient is None:
                patient = api.patient(timezone="Europe/Oslo")
                plan = {"stages": [{"starts_on": "2026-12-14", "sick_leave_percent": 50}]}
                saved = api.client.put("/v1/me/rtw-plan", json=plan, headers=patient.headers)
                assert saved.status_code == 200, saved.text
            else:
                relogin(api, patient)
            for day, worked in hours.items():
                put = api.client.put(
                    f"/v1/me/work-diary/{day}",
                    json={"worked_hours": worked},
                    headers=patient.headers,
                )
                assert put.status_code == 201, (day, put.text)
    assert patient is not None
    with at("2027-01-06T10:00:00Z"):
        summary = api.client.get("/v1/me/work-summary?weeks=3", headers=patient.headers)
        assert summary.status_code == 200, summary.text
        weeks = {w["week"]: w for w in summary.json()["weeks"]}
        assert list(weeks) == ["2026-W52", "2026-W53", "2027-W01"]
        # W52: 12 / 37.5 = 32; W53: 18.75 / 37.5 = 50; W01 (Mon-Tue so far): 7.5 / 15 = 50
        assert [
            (w["hours_worked"], w["working_days"], w["actual_grade"]) for w in weeks.values()
        ] == [(12.0, 5, 32), (18.75, 5, 50), (7.5, 2, 50)]
        assert weeks["2027-W01"]["partial"] is True


@pytest.mark.parametrize(("after", "same_pair"), [(29, True), (30, True), (31, False)])
def test_the_refresh_grace_window_to_the_second(api: Api, after: int, same_pair: bool) -> None:
    start = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        patient = api.patient()
        first = api.client.post("/v1/auth/refresh", json={"refresh_token": patient.refresh_token})
        assert first.status_code == 200, first.text
    with time_machine.travel(start + timedelta(seconds=after), tick=False):
        again = api.client.post("/v1/auth/refresh", json={"refresh_token": patient.refresh_token})
        if same_pair:
            assert again.status_code == 200, again.text
            assert again.json()["refresh_token"] == first.json()["refresh_token"]
        else:
            assert (again.status_code, again.json()["code"]) == (401, "invalid_refresh_token")
            # Past the grace the replay is taken for theft: the whole session is gone.
            onward = api.client.post(
                "/v1/auth/refresh", json={"refresh_token": first.json()["refresh_token"]}
            )
            assert onward.status_code == 401
