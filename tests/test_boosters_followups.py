"""Full return to work → follow-ups at +3 and +6 months; answering may open a booster request."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from app.boosters.followups import add_months, schedule_follow_ups
from tests.checkin_helpers import relogin
from tests.factories import Actor, Api


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2027, 8, 31), 3, date(2027, 11, 30)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 1, 15), 6, date(2027, 7, 15)),
        (date(2027, 10, 1), 3, date(2028, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def set_rtw(api: Api, therapist: Actor, patient: Actor, on: str | None) -> dict[str, Any]:
    response = api.client.put(
        f"/v1/patients/{patient.id}/rtw-completion",
        json={"rtw_completed_on": on},
        headers=therapist.headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@time_machine.travel(datetime(2028, 4, 1, 10, tzinfo=UTC), tick=False)
def test_recording_moving_and_clearing_the_return(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    body = set_rtw(api, therapist, patient, "2027-08-31")
    assert body["rtw_completed_on"] == "2027-08-31"
    assert [(f["months"], f["due_on"], f["status"]) for f in body["follow_ups"]] == [
        (3, "2027-11-30", "pending"),
        (6, "2028-02-29", "pending"),
    ]
    ids = [f["id"] for f in body["follow_ups"]]
    again = set_rtw(api, therapist, patient, "2027-08-31")
    assert [f["id"] for f in again["follow_ups"]] == ids
    moved = set_rtw(api, therapist, patient, "2027-09-15")
    assert [(f["id"], f["due_on"]) for f in moved["follow_ups"]] == [
        (ids[0], "2027-12-15"),
        (ids[1], "2028-03-15"),
    ]
    cleared = set_rtw(api, therapist, patient, None)
    assert cleared == {
        "patient_id": str(patient.id),
        "rtw_completed_on": None,
        "plan_return_on": None,
        "full_return_on": None,
        "follow_ups": [],
    }
    read = api.client.get(
        f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
    ).json()
    assert read["rtw_completed_on"] is None
    restored = set_rtw(api, therapist, patient, "2027-09-15")
    assert len(restored["follow_ups"]) == 2
    assert {f["id"] for f in restored["follow_ups"]}.isdisjoint(ids)


def test_answered_follow_ups_are_never_touched(api: Api) -> None:
    with time_machine.travel(datetime(2027, 4, 2, 10, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        set_rtw(api, therapist, patient, "2027-01-01")
        due = api.client.get("/v1/me/follow-ups", headers=patient.headers).json()["data"]
        assert [f["months"] for f in due] == [3]
        answer = {"still_working": True, "needs_booster": False}
        answered = api.client.post(
            f"/v1/me/follow-ups/{due[0]['id']}/answer", json=answer, headers=patient.headers
        )
        assert answered.status_code == 200
        assert answered.json()["status"] == "answered"
        assert answered.json()["booster_request"] is None
        assert (answered.json()["contacted_by"], answered.json()["answered_by_role"]) == (
            "app",
            "patient",
        )
        assert answered.json()["answered_by"] == str(patient.id)
        retry = api.client.post(
            f"/v1/me/follow-ups/{due[0]['id']}/answer", json=answer, headers=patient.headers
        )
        assert retry.status_code == 200
        other = api.client.post(
            f"/v1/me/follow-ups/{due[0]['id']}/answer",
            json={**answer, "still_working": False},
            headers=patient.headers,
        )
        assert other.status_code == 409
        # A new date: the answered one stays as it was, a new +3 one is due after the new date.
        moved = set_rtw(api, therapist, patient, "2027-02-01")
        assert [(f["months"], f["due_on"], f["status"]) for f in moved["follow_ups"]] == [
            (3, "2027-04-01", "answered"),
            (3, "2027-05-01", "pending"),
            (6, "2027-08-01", "pending"),
        ]
        # Back to the answered date: nothing is asked twice for it.
        back = set_rtw(api, therapist, patient, "2027-01-01")
        assert [(f["months"], f["due_on"], f["status"]) for f in back["follow_ups"]] == [
            (3, "2027-04-01", "answered"),
            (6, "2027-07-01", "pending"),
        ]
        cleared = set_rtw(api, therapist, patient, None)
        assert [(f["months"], f["status"]) for f in cleared["follow_ups"]] == [(3, "answered")]


def test_a_follow_up_cannot_be_answered_before_it_is_due(api: Api) -> None:
    with time_machine.travel(datetime(2027, 3, 31, 12, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        set_rtw(api, therapist, patient, "2027-01-01")
        assert api.client.get("/v1/me/follow-ups", headers=patient.headers).json()["count"] == 0
        upcoming = api.client.get(
            "/v1/me/follow-ups", params={"upcoming": "true"}, headers=patient.headers
        ).json()["data"]
        early = api.client.post(
            f"/v1/me/follow-ups/{upcoming[0]['id']}/answer",
            json={"still_working": True, "needs_booster": False},
            headers=patient.headers,
        )
        assert early.status_code == 409
        assert early.json()["code"] == "follow_up_not_due"
        stranger = api.patient()
        hidden = api.client.post(
            f"/v1/me/follow-ups/{upcoming[0]['id']}/answer",
            json={"still_working": True, "needs_booster": False},
            headers=stranger.headers,
        )
        assert hidden.status_code == 404


def test_needing_a_booster_opens_a_request_or_links_the_open_one(api: Api) -> None:
    with time_machine.travel(datetime(2027, 7, 2, 10, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        set_rtw(api, therapist, patient, "2027-01-01")
        due = api.client.get("/v1/me/follow-ups", headers=patient.headers).json()["data"]
        assert [f["months"] for f in due] == [3, 6]
        first = api.client.post(
            f"/v1/me/follow-ups/{due[0]['id']}/answer",
            json={"still_working": False, "needs_booster": True, "note": "Off again"},
            headers=patient.headers,
        ).json()
        request = first["booster_request"]
        assert (request["source"], request["status"]) == ("follow_up", "open")
        assert request["reason"] == (
            "3-month follow-up after full return to work: not working, asks for a booster session"
        )
        assert first["booster_request_id"] == request["id"]
        second = api.client.post(
            f"/v1/me/follow-ups/{due[1]['id']}/answer",
            json={"still_working": False, "needs_booster": True},
            headers=patient.headers,
        ).json()
        assert second["booster_request"]["id"] == request["id"]
        listed = api.client.get("/v1/me/booster-requests", headers=patient.headers).json()
        assert listed["count"] == 1


def test_schedule_follow_ups_does_not_commit(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)

    async def work(session: Any) -> None:
        await schedule_follow_ups(
            session, patient_id=patient.id, full_return_on=date(2027, 1, 1), source="rtw_plan"
        )
        await session.rollback()

    api.db(work)
    read = api.client.get(
        f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
    ).json()
    assert read["follow_ups"] == []


def test_done_when(api: Api) -> None:
    """A week of low scores opens one request; it is scheduled; 3 months after RTW: asked."""
    with time_machine.travel(datetime(2027, 2, 1, 8, tzinfo=UTC), tick=False) as clock:
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        opened = []
        for day in range(1, 8):
            clock.move_to(datetime(2027, 2, day, 19, 0, tzinfo=UTC))
            relogin(api, patient)
            saved = api.client.put(
                f"/v1/me/checkins/2027-02-{day:02d}",
                json={"answers": {f"rtw{i:02d}": 3 for i in range(1, 12)}},
                headers=patient.headers,
            ).json()
            if saved["booster_request"]:
                opened.append((day, saved["booster_request"]))
        assert [(day, r["reason"]) for day, r in opened] == [
            (3, "7-day mean 3 < 3.7 (3 check-ins); no baseline yet for version 1")
        ]
        relogin(api, therapist)
        listed = api.client.get(
            "/v1/booster-requests", params={"status": "open"}, headers=therapist.headers
        ).json()
        assert [r["id"] for r in listed["data"]] == [opened[0][1]["id"]]
        api.client.patch(
            f"/v1/booster-requests/{opened[0][1]['id']}",
            json={"status": "scheduled", "scheduled_for": "2027-02-10T09:00:00Z"},
            headers=therapist.headers,
        )
        seen = api.client.get("/v1/me/booster-requests", headers=patient.headers).json()
        assert [(r["status"], r["scheduled_for"]) for r in seen["data"]] == [
            ("scheduled", "2027-02-10T09:00:00Z")
        ]
        clock.move_to(datetime(2027, 3, 15, 9, 0, tzinfo=UTC))  # back at work today
        relogin(api, therapist)
        set_rtw(api, therapist, patient, "2027-03-15")
        clock.move_to(datetime(2027, 6, 14, 21, 59, tzinfo=UTC))  # 23:59 in Oslo, 14 June
        relogin(api, patient)
        assert api.client.get("/v1/me/follow-ups", headers=patient.headers).json()["count"] == 0
        clock.move_to(datetime(2027, 6, 14, 22, 1, tzinfo=UTC))  # 00:01, 15 June
        relogin(api, patient)
        due = api.client.get("/v1/me/follow-ups", headers=patient.headers).json()["data"]
        assert [(f["months"], f["due_on"]) for f in due] == [(3, "2027-06-15")]


def plan_with_return(api: Api, patient: Actor, on: str) -> None:
    stages = [
        {"starts_on": "2027-01-04", "sick_leave_percent": 50},
        {"starts_on": on, "sick_leave_percent": 0},
    ]
    response = api.client.put("/v1/me/rtw-plan", json={"stages": stages}, headers=patient.headers)
    assert response.status_code == 200, response.text


def test_the_therapists_record_wins_over_the_plan_and_clearing_it_falls_back(api: Api) -> None:
    with time_machine.travel(datetime(2027, 3, 10, 10, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        plan_with_return(api, patient, "2027-03-01")  # the 0 % stage began on 1 March
        read = api.client.get(
            f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
        ).json()
        assert (read["rtw_completed_on"], read["plan_return_on"], read["full_return_on"]) == (
            None,
            "2027-03-01",
            "2027-03-01",
        )
        assert [f["due_on"] for f in read["follow_ups"]] == ["2027-06-01", "2027-09-01"]
        # The therapist records the actual return: it wins.
        recorded = set_rtw(api, therapist, patient, "2027-03-08")
        assert recorded["full_return_on"] == "2027-03-08"
        assert [f["due_on"] for f in recorded["follow_ups"]] == ["2027-06-08", "2027-09-08"]
        # A later plan save with another planned date does not move them ...
        plan_with_return(api, patient, "2027-03-05")
        read = api.client.get(
            f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
        ).json()
        assert (read["plan_return_on"], read["full_return_on"]) == ("2027-03-05", "2027-03-08")
        assert [f["due_on"] for f in read["follow_ups"]] == ["2027-06-08", "2027-09-08"]
        # ... and clearing the record falls back to the plan's return.
        cleared = set_rtw(api, therapist, patient, None)
        assert cleared["full_return_on"] == "2027-03-05"
        assert [f["due_on"] for f in cleared["follow_ups"]] == ["2027-06-05", "2027-09-05"]
        # A return that has not happened cannot be recorded.
        future = api.client.put(
            f"/v1/patients/{patient.id}/rtw-completion",
            json={"rtw_completed_on": "2027-03-11"},
            headers=therapist.headers,
        )
        assert (future.status_code, future.json()["code"]) == (422, "rtw_completed_in_future")
        assert future.json()["detail"] == (
            "The return to work lies in the future; record it once it has happened "
            "(a planned return is the plan's 0 % stage)."
        )


def answer_by_therapist(
    api: Api, therapist: Actor, patient: Actor, follow_up_id: str, **body: Any
) -> Any:
    return api.client.post(
        f"/v1/patients/{patient.id}/follow-ups/{follow_up_id}/answer",
        json=body,
        headers=therapist.headers,
    )


def test_a_therapist_records_a_phone_follow_up(api: Api) -> None:
    with time_machine.travel(datetime(2027, 7, 2, 10, tzinfo=UTC), tick=False):
        therapist, colleague = api.therapist(), api.therapist()
        patient = api.patient(therapist)
        set_rtw(api, therapist, patient, "2027-01-01")
        due = api.client.get("/v1/me/follow-ups", headers=patient.headers).json()["data"]
        three, six = (f["id"] for f in due)
        answer = {"still_working": False, "needs_booster": True, "contacted_by": "phone"}
        # Only the linked therapist, and only with a way of contact.
        assert answer_by_therapist(api, colleague, patient, three, **answer).status_code == 404
        missing = {k: v for k, v in answer.items() if k != "contacted_by"}
        assert answer_by_therapist(api, therapist, patient, three, **missing).status_code == 422
        wrong = {**answer, "contacted_by": "pigeon"}
        assert answer_by_therapist(api, therapist, patient, three, **wrong).status_code == 422
        done = answer_by_therapist(api, therapist, patient, three, **answer)
        assert done.status_code == 200, done.text
        body = done.json()
        assert (body["status"], body["contacted_by"], body["answered_by_role"]) == (
            "answered",
            "phone",
            "therapist",
        )
        assert body["answered_by"] == str(therapist.id)
        request = body["booster_request"]
        assert (request["source"], request["status"]) == ("follow_up", "open")
        assert request["reason"] == (
            "3-month follow-up after full return to work (by phone): not working, "
            "asks for a booster session"
        )
        # The same answer again is a replay; another one is a conflict.
        again = answer_by_therapist(api, therapist, patient, three, **answer)
        assert (again.status_code, again.json()["booster_request"]["id"]) == (200, request["id"])
        other = answer_by_therapist(api, therapist, patient, three, **{**answer, "note": "x"})
        assert (other.status_code, other.json()["code"]) == (409, "follow_up_answered")
        # The patient sees who answered, and the therapist's read is in the access log.
        mine = api.client.get("/v1/me/booster-requests", headers=patient.headers).json()["data"]
        assert [r["id"] for r in mine] == [request["id"]]
        log = api.client.get("/v1/me/access-log", headers=patient.headers).json()["data"]
        assert "follow-ups/{follow_up_id}/answer" in [entry["kind"] for entry in log]
        # The 6-month one, answered in a meeting, links the active request (one at a time).
        meeting = answer_by_therapist(
            api,
            therapist,
            patient,
            six,
            still_working=True,
            needs_booster=True,
            contacted_by="meeting",
        ).json()
        assert meeting["booster_request"]["id"] == request["id"]
        assert meeting["contacted_by"] == "meeting"
        # The patient's own answers are recorded as given in the app.
        remaining = api.client.get("/v1/me/follow-ups", headers=patient.headers).json()
        assert remaining["count"] == 0


def test_a_therapist_cannot_answer_before_the_follow_up_is_due(api: Api) -> None:
    with time_machine.travel(datetime(2027, 3, 31, 12, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        body = set_rtw(api, therapist, patient, "2027-01-01")
        early = answer_by_therapist(
            api,
            therapist,
            patient,
            body["follow_ups"][0]["id"],
            still_working=True,
            needs_booster=False,
            contacted_by="message",
        )
        assert (early.status_code, early.json()["code"]) == (409, "follow_up_not_due")
        other = api.patient(therapist)
        hidden = answer_by_therapist(
            api,
            therapist,
            other,
            body["follow_ups"][0]["id"],
            still_working=True,
            needs_booster=False,
            contacted_by="message",
        )
        assert (hidden.status_code, hidden.json()["code"]) == (404, "follow_up_not_found")


def test_a_follow_up_can_be_answered_on_its_due_date_from_the_first_local_minute(
    api: Api,
) -> None:
    # Issue 21: the 3-month follow-up of a return on 1 January is due on 1 April. At 00:30 on
    # 1 April in Oslo (22:30 UTC on 31 March, summer time) it is due and the patient can
    # answer it; the same holds for the therapist and the 6-month one on 1 July.
    with time_machine.travel(datetime(2027, 3, 31, 22, 30, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        set_rtw(api, therapist, patient, "2027-01-01")
        due = api.client.get("/v1/me/follow-ups", headers=patient.headers).json()
        assert [(f["months"], f["due_on"]) for f in due["data"]] == [(3, "2027-04-01")]
        answered = api.client.post(
            f"/v1/me/follow-ups/{due['data'][0]['id']}/answer",
            json={"still_working": True, "needs_booster": False},
            headers=patient.headers,
        )
        assert answered.status_code == 200, answered.text
        assert answered.json()["status"] == "answered"
    with time_machine.travel(datetime(2027, 7, 1, 0, 30, tzinfo=UTC), tick=False):
        # 02:30 on 1 July in Oslo: the 6-month follow-up is due that day; the therapist
        # records a phone follow-up on the due date itself.
        therapist = relogin(api, therapist)
        body = api.client.get(
            f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
        ).json()
        six = next(f for f in body["follow_ups"] if f["months"] == 6)
        assert six["due_on"] == "2027-07-01"
        phoned = answer_by_therapist(
            api,
            therapist,
            patient,
            six["id"],
            still_working=True,
            needs_booster=False,
            contacted_by="phone",
        )
        assert phoned.status_code == 200, phoned.text


def test_a_plan_without_a_return_keeps_the_therapists_follow_ups(api: Api) -> None:
    # Issue 21: the plan's 0 % stage began on 1 March; the therapist recorded the actual
    # return on 8 March; the patient then saves a plan whose last stage is 50 % (the planned
    # return is gone). The recorded return still stands and its follow-ups stay pending on
    # their dates: a plan save never cancels them.
    with time_machine.travel(datetime(2027, 3, 10, 10, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        plan_with_return(api, patient, "2027-03-01")
        recorded = set_rtw(api, therapist, patient, "2027-03-08")
        assert [(f["due_on"], f["status"]) for f in recorded["follow_ups"]] == [
            ("2027-06-08", "pending"),
            ("2027-09-08", "pending"),
        ]
        stages = [{"starts_on": "2027-01-04", "sick_leave_percent": 50}]
        saved = api.client.put("/v1/me/rtw-plan", json={"stages": stages}, headers=patient.headers)
        assert saved.status_code == 200, saved.text
        read = api.client.get(
            f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
        ).json()
        assert (read["rtw_completed_on"], read["plan_return_on"], read["full_return_on"]) == (
            "2027-03-08",
            None,
            "2027-03-08",
        )
        assert [(f["due_on"], f["status"]) for f in read["follow_ups"]] == [
            ("2027-06-08", "pending"),
            ("2027-09-08", "pending"),
        ]


def export(api: Api, patient: Actor) -> dict[str, Any]:
    response = api.client.get("/v1/me/export", headers=patient.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_export_says_who_set_the_return_and_what_the_follow_ups_count_from(
    api: Api,
) -> None:
    # The patient's export is where `source` and `updated_by` are shown: the plan's 0 % stage
    # (nobody), then the therapist's record (that therapist), for the return and its follow-ups.
    with time_machine.travel(datetime(2027, 3, 10, 10, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        plan_with_return(api, patient, "2027-03-01")
        planned = export(api, patient)
        completion = planned["rtw_completion"]
        assert (
            completion["source"],
            completion["rtw_completed_on"],
            completion["plan_return_on"],
            completion["updated_by"],
        ) == ("rtw_plan", None, "2027-03-01", None)
        assert sorted((f["months"], f["source"], f["due_on"]) for f in planned["follow_ups"]) == [
            (3, "rtw_plan", "2027-06-01"),
            (6, "rtw_plan", "2027-09-01"),
        ]
        set_rtw(api, therapist, patient, "2027-03-08")
        recorded = export(api, patient)
        completion = recorded["rtw_completion"]
        assert (
            completion["source"],
            completion["rtw_completed_on"],
            completion["plan_return_on"],
            completion["updated_by"],
        ) == ("therapist", "2027-03-08", "2027-03-01", str(therapist.id))
        assert sorted((f["months"], f["source"], f["due_on"]) for f in recorded["follow_ups"]) == [
            (3, "therapist", "2027-06-08"),
            (6, "therapist", "2027-09-08"),
        ]


def test_the_therapist_reads_the_return_in_the_patients_local_date(api: Api) -> None:
    # 12:00 UTC on 1 March is 01:00 on 2 March in Auckland: a return recorded for 2 March has
    # begun there, and the therapist's read (not only the patient's) counts in that local date.
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Pacific/Auckland")
        set_rtw(api, therapist, patient, "2027-03-02")
        read = api.client.get(
            f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
        ).json()
        assert (read["rtw_completed_on"], read["full_return_on"]) == ("2027-03-02", "2027-03-02")
        assert [f["due_on"] for f in read["follow_ups"]] == ["2027-06-02", "2027-09-02"]


def completion_of(api: Api, therapist: Actor, patient: Actor) -> dict[str, Any]:
    response = api.client.get(
        f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_planned_return_counts_from_its_first_day_not_before(api: Api) -> None:
    # The plan's 0 % stage begins on 11 March: on 10 March the therapist sees the planned date
    # but no return and no follow-ups; on 11 March the return has begun and both are listed.
    with time_machine.travel(datetime(2027, 3, 10, 10, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        plan_with_return(api, patient, "2027-03-11")
        before = completion_of(api, therapist, patient)
        assert (before["plan_return_on"], before["full_return_on"], before["follow_ups"]) == (
            "2027-03-11",
            None,
            [],
        )
    with time_machine.travel(datetime(2027, 3, 11, 10, tzinfo=UTC), tick=False):
        relogin(api, therapist)
        begun = completion_of(api, therapist, patient)
        assert begun["full_return_on"] == "2027-03-11"
        assert [(f["months"], f["due_on"]) for f in begun["follow_ups"]] == [
            (3, "2027-06-11"),
            (6, "2027-09-11"),
        ]


def test_follow_ups_are_listed_by_due_date_then_months_and_only_the_patients_own(
    api: Api,
) -> None:
    with time_machine.travel(datetime(2027, 7, 2, 10, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient, other = api.patient(therapist), api.patient(therapist)
        set_rtw(api, therapist, other, "2027-02-01")  # another patient's series, never shown
        first = set_rtw(api, therapist, patient, "2027-01-01")
        answer = {"still_working": True, "needs_booster": False, "contacted_by": "phone"}
        for follow_up in first["follow_ups"]:  # due 1 April and 1 July: both answered
            done = answer_by_therapist(api, therapist, patient, follow_up["id"], **answer)
            assert done.status_code == 200, done.text
        # A return on 1 April: its 3-month follow-up falls on 1 July like the answered 6-month
        # one; on the same day the 3-month one comes first.
        set_rtw(api, therapist, patient, "2027-04-01")
        listed = completion_of(api, therapist, patient)["follow_ups"]
        assert [(f["months"], f["due_on"], f["status"]) for f in listed] == [
            (3, "2027-04-01", "answered"),
            (3, "2027-07-01", "pending"),
            (6, "2027-07-01", "answered"),
            (6, "2027-10-01", "pending"),
        ]
        # A return on 1 June: the answered 6-month one (1 July) comes before the new 3-month
        # one (1 September): by date, not by months.
        set_rtw(api, therapist, patient, "2027-06-01")
        listed = completion_of(api, therapist, patient)["follow_ups"]
        assert [(f["months"], f["due_on"], f["status"]) for f in listed] == [
            (3, "2027-04-01", "answered"),
            (6, "2027-07-01", "answered"),
            (3, "2027-09-01", "pending"),
            (6, "2027-12-01", "pending"),
        ]
