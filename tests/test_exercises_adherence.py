"""Adherence and today's counts through HTTP, on calendars counted by hand."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import time_machine

from tests.checkin_helpers import relogin
from tests.factories import Actor, Api


def at(moment: str) -> Any:
    return time_machine.travel(datetime.fromisoformat(moment), tick=True)


def assign(api: Api, therapist: Actor, patient: Actor, **body: Any) -> dict[str, Any]:
    response = api.client.post(
        f"/v1/patients/{patient.id}/assignments", json=body, headers=therapist.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def log(api: Api, patient: Actor, kind: str, started_at: str, **fields: Any) -> None:
    defaults: dict[str, dict[str, Any]] = {
        "attention_training": {
            "phases_completed": ["selective", "switching", "divided"],
            "self_focus_before": 2,
            "self_focus_after": 0,
        },
        "worry_postponement": {
            "worries_noticed": 3,
            "worries_postponed": 3,
            "worry_time_used": True,
            "worry_time_minutes": 10,
            "uncontrollability_before": 70,
            "uncontrollability_after": 50,
        },
        "detached_mindfulness": {"detachment_before": 30, "detachment_after": 60},
    }
    body = {
        "id": str(uuid.uuid4()),
        "exercise_kind": kind,
        "started_at": started_at,
        "duration_seconds": 700,
        **defaults[kind],
        **fields,
    }
    response = api.client.post("/v1/me/exercise-logs", json=body, headers=patient.headers)
    assert response.status_code == 201, response.text


def adherence(api: Api, therapist: Actor, patient: Actor, start: str, end: str) -> Any:
    response = api.client.get(
        f"/v1/patients/{patient.id}/adherence",
        params={"from": start, "to": end},
        headers=therapist.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_att_twice_a_day_and_worry_postponement_match_a_hand_count(api: Api) -> None:
    # Wednesday 11 March 2026, 13:00 in Oslo (CET, UTC+1).
    with at("2026-03-11T12:00:00+00:00"):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        att = assign(
            api,
            therapist,
            patient,
            exercise_kind="attention_training",
            times_per_day=2,
            starts_on="2026-03-09",
        )
        worry = assign(
            api,
            therapist,
            patient,
            exercise_kind="worry_postponement",
            times_per_day=1,
            starts_on="2026-03-09",
            worry_time="18:00",
            instructions="Utsett til 18:00, maks 15 minutter.",
        )
        assert worry["worry_time"] == "18:00"
        assert (att["status"], att["times_per_day"]) == ("active", 2)
        # Monday: ATT twice (linked), plus a third that the cap ignores; worry time used.
        log(api, patient, "attention_training", "2026-03-09T07:00:00Z", assignment_id=att["id"])
        log(api, patient, "attention_training", "2026-03-09T12:00:00Z", assignment_id=att["id"])
        log(api, patient, "attention_training", "2026-03-09T19:00:00Z")
        log(api, patient, "worry_postponement", "2026-03-09T17:00:00Z", assignment_id=worry["id"])
        # Tuesday: ATT once (unlinked still counts), no worry postponement.
        log(api, patient, "attention_training", "2026-03-10T08:00:00Z")
        # Wednesday (today): ATT once so far; worry logged at 23:30 UTC Tuesday = 00:30 today.
        log(api, patient, "attention_training", "2026-03-11T07:30:00Z", assignment_id=att["id"])
        log(api, patient, "worry_postponement", "2026-03-10T23:30:00Z")

        body = adherence(api, therapist, patient, "2026-03-02", "2026-03-15")
        by_kind = {item["exercise_kind"]: item for item in body["assignments"]}
        # ATT: Mon 2/2, Tue 1/2, Wed (today) 1 done of 1 so far; days after today not due.
        assert (
            by_kind["attention_training"]["prescribed"],
            by_kind["attention_training"]["completed"],
        ) == (5, 4)
        assert by_kind["attention_training"]["rate"] == 0.8
        assert by_kind["attention_training"]["by_week"] == [
            {
                "week": "2026-W11",
                "starts_on": "2026-03-09",
                "closed": False,
                "prescribed": 5,
                "completed": 4,
                "rate": 0.8,
            }
        ]
        assert by_kind["attention_training"]["last_done_at"] == "2026-03-11T07:30:00Z"
        # Worry: Mon 1/1, Tue 0/1, Wed 1/1.
        assert (
            by_kind["worry_postponement"]["prescribed"],
            by_kind["worry_postponement"]["completed"],
        ) == (3, 2)
        assert (body["prescribed"], body["completed"], body["rate"]) == (8, 6, 0.75)

        today = api.client.get("/v1/me/assignments", headers=patient.headers).json()
        progress = {item["exercise_kind"]: item for item in today["data"]}
        assert (
            progress["attention_training"]["done"],
            progress["attention_training"]["prescribed"],
        ) == (1, 2)
        assert progress["attention_training"]["period"] == "day"
        assert progress["worry_postponement"]["done"] == 1
        assert progress["worry_postponement"]["worry_time"] == "18:00"
        # The therapist sees today's progress exactly as the patient's today shows it.
        for kind, item in progress.items():
            assert by_kind[kind]["today"] == {
                "period": item["period"],
                "prescribed": item["prescribed"],
                "done": item["done"],
            }


def test_oslo_across_the_start_of_summer_time(api: Api) -> None:
    # Summer time starts Sunday 29 March 2026 at 01:00 UTC (Oslo goes from UTC+1 to UTC+2).
    with at("2026-03-31T10:00:00+00:00"):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        dm = assign(
            api,
            therapist,
            patient,
            exercise_kind="detached_mindfulness",
            times_per_day=1,
            starts_on="2026-03-23",
        )
        log(api, patient, "detached_mindfulness", "2026-03-23T07:00:00Z")  # Mon 23rd 08:00
        log(api, patient, "detached_mindfulness", "2026-03-28T22:30:00Z")  # Sat 28th 23:30 CET
        log(api, patient, "detached_mindfulness", "2026-03-29T22:30:00Z")  # Mon 30th 00:30 CEST
        log(api, patient, "detached_mindfulness", "2026-03-30T16:00:00Z")  # Mon 30th again
        log(api, patient, "detached_mindfulness", "2026-03-31T06:00:00Z")  # Tue 31st
        body = adherence(api, therapist, patient, "2026-03-23", "2026-04-05")
        [item] = body["assignments"]
        assert item["assignment_id"] == dm["id"]
        assert [(w["week"], w["prescribed"], w["completed"]) for w in item["by_week"]] == [
            ("2026-W13", 7, 2),  # Sunday 29th has no practice: the 22:30 UTC one is Monday's
            ("2026-W14", 2, 2),  # Mon 30th (two, capped at one) and Tue 31st
        ]
        assert (item["prescribed"], item["completed"]) == (9, 4)


def test_auckland_across_the_end_of_daylight_time(api: Api) -> None:
    # Daylight time ends Sunday 5 April 2026 at 03:00 local (UTC+13 becomes UTC+12).
    with at("2026-04-07T00:00:00+00:00"):  # Tuesday 7 April, 12:00 in Auckland
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Pacific/Auckland")
        assign(
            api,
            therapist,
            patient,
            exercise_kind="attention_training",
            times_per_day=1,
            starts_on="2026-03-30",
        )
        log(api, patient, "attention_training", "2026-03-31T20:00:00Z")  # Wed 1st 09:00 +13
        log(api, patient, "attention_training", "2026-04-04T11:30:00Z")  # Sun 5th 00:30 +13
        log(api, patient, "attention_training", "2026-04-05T11:30:00Z")  # Sun 5th 23:30 +12
        log(api, patient, "attention_training", "2026-04-05T12:30:00Z")  # Mon 6th 00:30 +12
        body = adherence(api, therapist, patient, "2026-04-01", "2026-04-07")
        [item] = body["assignments"]
        assert [(w["week"], w["prescribed"], w["completed"]) for w in item["by_week"]] == [
            ("2026-W14", 5, 2),  # Wed-Sun: Wednesday, and Sunday once (two logs, one dose)
            ("2026-W15", 1, 1),  # Monday; today (Tuesday) has nothing done yet: not due
        ]
        assert (item["prescribed"], item["completed"], item["rate"]) == (6, 3, 0.5)


def test_dose_change_pause_and_end_by_patch_keep_past_days_as_they_were(api: Api) -> None:
    # Friday 20 March 2026; the assignment started Monday 9th, once a day.
    with at("2026-03-20T09:00:00+00:00"):
        therapist, colleague = api.therapist(), api.therapist()
        patient = api.patient(therapist)
        att = assign(
            api,
            therapist,
            patient,
            exercise_kind="attention_training",
            times_per_day=1,
            starts_on="2026-03-09",
        )
        url = f"/v1/assignments/{att['id']}"

        def patch(body: dict[str, Any], who: Actor = therapist) -> Any:
            return api.client.patch(url, json=body, headers=who.headers)

        twice = patch({"times_per_day": 2, "effective_from": "2026-03-12"})
        assert twice.status_code == 200, twice.text
        paused = patch({"paused": True, "effective_from": "2026-03-16"})
        assert paused.json()["dose_history"][-1] == {
            "effective_from": "2026-03-16",
            "times_per_day": 2,
            "times_per_week": None,
            "paused": True,
        }
        resumed = patch({"paused": False, "effective_from": "2026-03-18"})
        assert resumed.json()["status"] == "active"
        ended = patch({"ends_on": "2026-03-19"})
        assert ended.json()["status"] == "ended"
        assert [d["effective_from"] for d in ended.json()["dose_history"]] == [
            "2026-03-09",
            "2026-03-12",
            "2026-03-16",
            "2026-03-18",
        ]
        assert patch({"paused": True}, who=colleague).status_code == 404
        too_early = patch({"times_per_day": 3, "effective_from": "2026-03-01"})
        assert too_early.status_code == 422
        assert too_early.json()["code"] == "effective_from_out_of_range"

        for day in (9, 10, 12, 12, 13, 16, 18, 18, 19, 20):
            log(api, patient, "attention_training", f"2026-03-{day:02d}T08:00:00Z")
        body = adherence(api, therapist, patient, "2026-03-09", "2026-03-22")
        [item] = body["assignments"]
        # Week 11: Mon-Wed 1/day (3), Thu-Sun 2/day (8) = 11; done 1+1+0+2+1+0+0 = 5.
        # Week 12: paused Mon-Tue, Wed-Thu 2/day (4), ended after Thursday; done 2+1 = 3.
        assert [(w["week"], w["prescribed"], w["completed"]) for w in item["by_week"]] == [
            ("2026-W11", 11, 5),
            ("2026-W12", 4, 3),
        ]
        assert api.client.get("/v1/me/assignments", headers=patient.headers).json()["count"] == 0


def test_weekly_dose_over_http_and_overlapping_assignments_are_refused(api: Api) -> None:
    with at("2026-03-12T09:00:00+00:00"):  # Thursday 12 March
        therapist = api.therapist()
        patient = api.patient(therapist)
        weekly = assign(
            api,
            therapist,
            patient,
            exercise_kind="detached_mindfulness",
            times_per_week=3,
            starts_on="2026-03-05",
        )
        again = api.client.post(
            f"/v1/patients/{patient.id}/assignments",
            json={
                "exercise_kind": "detached_mindfulness",
                "times_per_day": 1,
                "starts_on": "2026-03-20",
            },
            headers=therapist.headers,
        )
        assert again.status_code == 409
        assert again.json()["code"] == "assignment_overlaps"
        for day in (5, 6, 7, 10):
            log(api, patient, "detached_mindfulness", f"2026-03-{day:02d}T08:00:00Z")
        body = adherence(api, therapist, patient, "2026-03-02", "2026-03-15")
        [item] = body["assignments"]
        # Week 10: Thu-Sun = 4/7 of 3 -> 2 (three done, two count). Week 11 is this week: the
        # one done so far counts, the two still to do are not due before Sunday is over.
        assert [
            (w["week"], w["closed"], w["prescribed"], w["completed"]) for w in item["by_week"]
        ] == [("2026-W10", True, 2, 2), ("2026-W11", False, 1, 1)]
        today = api.client.get("/v1/me/assignments", headers=patient.headers).json()["data"]
        assert [(t["id"], t["period"], t["prescribed"], t["done"]) for t in today] == [
            (weekly["id"], "week", 3, 1)
        ]
        assert item["today"] == {"period": "week", "prescribed": 3, "done": 1}  # "1 of 3"
        listed = api.client.get(
            f"/v1/patients/{patient.id}/assignments", headers=therapist.headers
        ).json()
        assert [a["id"] for a in listed["data"]] == [weekly["id"]]


def test_the_window_defaults_to_28_days_and_must_be_ordered(api: Api) -> None:
    with at("2026-03-20T09:00:00+00:00"):
        therapist = api.therapist()
        patient = api.patient(therapist)
        url = f"/v1/patients/{patient.id}/adherence"
        default = api.client.get(url, headers=therapist.headers).json()
        # The 28 days before today, and today: the worklist's adherence_28d.
        assert (default["window_start"], default["window_end"]) == ("2026-02-20", "2026-03-20")
        assert (default["prescribed"], default["rate"], default["assignments"]) == (0, None, [])
        backwards = api.client.get(
            url, params={"from": "2026-03-20", "to": "2026-03-01"}, headers=therapist.headers
        )
        assert backwards.status_code == 422
        assert backwards.json()["code"] == "invalid_window"


def test_rumination_postponement_is_prescribed_logged_counted_and_shown(api: Api) -> None:
    # MCT for depression: rumination postponement, the same fields as worry postponement.
    with at("2026-03-11T12:00:00+00:00"):  # Wednesday 11 March, 13:00 in Oslo
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        url = f"/v1/patients/{patient.id}/assignments"
        without_slot = {
            "exercise_kind": "rumination_postponement",
            "times_per_day": 1,
            "starts_on": "2026-03-09",
        }
        refused = api.client.post(url, json=without_slot, headers=therapist.headers)
        assert refused.status_code == 422
        assignment = assign(api, therapist, patient, **without_slot, worry_time="19:00")
        assert (assignment["exercise_kind"], assignment["worry_time"]) == (
            "rumination_postponement",
            "19:00",
        )
        moved = api.client.patch(
            f"/v1/assignments/{assignment['id']}",
            json={"worry_time": "20:00"},
            headers=therapist.headers,
        )
        assert moved.json()["worry_time"] == "20:00"
        fields = {
            "worries_noticed": 4,
            "worries_postponed": 3,
            "worry_time_used": False,
            "uncontrollability_before": 80,
            "uncontrollability_after": 65,
        }
        rumination = {"exercise_kind": "rumination_postponement", **fields}
        for started in ("2026-03-09T18:00:00Z", "2026-03-11T08:00:00Z"):
            body = {
                "id": str(uuid.uuid4()),
                "started_at": started,
                "duration_seconds": 60,
                **rumination,
            }
            response = api.client.post("/v1/me/exercise-logs", json=body, headers=patient.headers)
            assert response.status_code == 201, response.text
        # Mon 1/1, Tue 0/1, Wed (today) 1/1
        [item] = adherence(api, therapist, patient, "2026-03-09", "2026-03-11")["assignments"]
        assert (item["exercise_kind"], item["prescribed"], item["completed"]) == (
            "rumination_postponement",
            3,
            2,
        )
        today = api.client.get("/v1/me/today", headers=patient.headers).json()
        assert [(a["exercise_kind"], a["done"], a["worry_time"]) for a in today["assignments"]] == [
            ("rumination_postponement", 1, "20:00")
        ]
        exported = api.client.get("/v1/me/export", headers=patient.headers).json()
        assert [log["exercise_kind"] for log in exported["exercise_logs"]] == [
            "rumination_postponement",
            "rumination_postponement",
        ]
        assert exported["exercise_logs"][0]["details"]["worries_noticed"] == 4
        assert exported["assignments"][0]["exercise_kind"] == "rumination_postponement"


def _figures(api: Api, therapist: Actor, patient: Actor) -> tuple[Any, Any, Any, Any]:
    """(worklist row, therapist's default adherence, patient's today items, their figures)."""
    relogin(api, therapist)
    relogin(api, patient)
    (row,) = [
        r
        for r in api.client.get("/v1/patients", headers=therapist.headers).json()["data"]
        if r["patient_id"] == str(patient.id)
    ]
    detail = api.client.get(
        f"/v1/patients/{patient.id}/adherence", headers=therapist.headers
    ).json()
    today = api.client.get("/v1/me/today", headers=patient.headers).json()["assignments"]
    mine = [(t["period"], t["prescribed"], t["done"]) for t in today]
    theirs = [
        (a["today"]["period"], a["today"]["prescribed"], a["today"]["done"])
        for a in detail["assignments"]
        if a["today"] is not None
    ]
    return row, detail, mine, theirs


def test_the_monday_doer_is_at_100_percent_on_every_weekday_over_http(api: Api) -> None:
    # Issue 10 §2: 3 a week, all done on Monday, used to read 0 % on Mondays.
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False) as clock:
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        assign(
            api,
            therapist,
            patient,
            exercise_kind="detached_mindfulness",
            times_per_week=3,
            starts_on="2026-03-02",
        )
        for monday in (2, 9, 16):
            clock.move_to(datetime(2026, 3, monday, 9, tzinfo=UTC))
            relogin(api, patient)
            for _ in range(3):
                log(api, patient, "detached_mindfulness", f"2026-03-{monday:02d}T07:00:00Z")
        for day in range(16, 23):  # Monday 16 to Sunday 22 March
            clock.move_to(datetime(2026, 3, day, 12, tzinfo=UTC))
            row, detail, mine, theirs = _figures(api, therapist, patient)
            assert (row["adherence_7d"], row["adherence_28d"], detail["rate"]) == (1.0, 1.0, 1.0)
            assert "low_adherence" not in row["flags"]
            assert mine == theirs == [("week", 3, 3)]


def test_sunday_doer_two_a_day_and_a_mid_week_start_over_http(api: Api) -> None:
    with time_machine.travel(datetime(2026, 3, 5, 9, tzinfo=UTC), tick=False) as clock:
        therapist = api.therapist()
        sunday, twice, thursday = (api.patient(therapist) for _ in range(3))
        assign(
            api,
            therapist,
            sunday,
            exercise_kind="detached_mindfulness",
            times_per_week=1,
            starts_on="2026-03-02",
        )
        # 3 a week from Thursday 5th: this first week's share is round(3 x 4/7) = 2.
        assign(
            api,
            therapist,
            thursday,
            exercise_kind="detached_mindfulness",
            times_per_week=3,
            starts_on="2026-03-05",
        )
        log(api, thursday, "detached_mindfulness", "2026-03-05T08:00:00Z")
        clock.move_to(datetime(2026, 3, 6, 12, tzinfo=UTC))  # Friday
        _, detail, mine, theirs = _figures(api, therapist, thursday)
        assert mine == theirs == [("week", 2, 1)]  # "1 of 2 this week", the same for both
        assert detail["rate"] == 1.0
        clock.move_to(datetime(2026, 3, 7, 12, tzinfo=UTC))
        relogin(api, thursday)
        log(api, thursday, "detached_mindfulness", "2026-03-07T08:00:00Z")
        clock.move_to(datetime(2026, 3, 8, 18, tzinfo=UTC))  # Sunday evening
        relogin(api, sunday)
        log(api, sunday, "detached_mindfulness", "2026-03-08T17:00:00Z")
        clock.move_to(datetime(2026, 3, 9, 12, tzinfo=UTC))  # Monday: week 10 is over
        row, _, mine, theirs = _figures(api, therapist, thursday)
        assert (row["adherence_7d"], mine, theirs) == (1.0, [("week", 3, 0)], [("week", 3, 0)])
        for day, done in ((14, 0), (15, 1), (16, 0)):  # Saturday, Sunday (done), Monday
            clock.move_to(datetime(2026, 3, day, 19, tzinfo=UTC))
            if day == 15:
                relogin(api, sunday)
                log(api, sunday, "detached_mindfulness", "2026-03-15T18:00:00Z")
            row, detail, mine, theirs = _figures(api, therapist, sunday)
            assert (row["adherence_7d"], detail["rate"]) == (1.0, 1.0)
            assert mine == theirs == [("week", 1, done)]
        # Twice a day from today, one done at 08:00: today is not a 50 % failure.
        clock.move_to(datetime(2026, 3, 16, 7, 30, tzinfo=UTC))
        relogin(api, therapist)
        assign(
            api,
            therapist,
            twice,
            exercise_kind="attention_training",
            times_per_day=2,
            starts_on="2026-03-16",
        )
        relogin(api, twice)
        log(api, twice, "attention_training", "2026-03-16T07:00:00Z")  # 08:00 in Oslo
        row, detail, mine, theirs = _figures(api, therapist, twice)
        assert (row["adherence_7d"], detail["prescribed"], detail["completed"]) == (1.0, 1, 1)
        assert "low_adherence" not in row["flags"]
        assert mine == theirs == [("day", 2, 1)]  # progress: one of today's two


def test_unlinked_logs_outside_the_assignments_dates_count_for_nothing(api: Api) -> None:
    # Issue 21. ATT 3 times a week from Thursday 12 to Saturday 14 November 2026 (ISO week 46,
    # Monday 9 .. Sunday 15). Unlinked ATT logs on Monday 9, Tuesday 10 and Sunday 15 lie in the
    # same week but outside the assignment's dates: they count for nothing, not even as the
    # last time it was done. The week's share is round(3/7 x 3 days) = round(9/7) = 1; the one
    # log inside (Friday 13) completes it.
    with at("2026-11-18T10:00:00+00:00"):
        therapist = api.therapist()
        patient = api.patient(therapist)
        made = assign(
            api,
            therapist,
            patient,
            exercise_kind="attention_training",
            times_per_week=3,
            starts_on="2026-11-12",
            ends_on="2026-11-14",
        )
        for moment in (
            "2026-11-09T08:00:00Z",
            "2026-11-10T08:00:00Z",
            "2026-11-13T08:00:00Z",
            "2026-11-15T08:00:00Z",
        ):
            log(api, patient, "attention_training", moment)
        body = adherence(api, therapist, patient, "2026-11-09", "2026-11-18")
        (one,) = body["assignments"]
        assert one["assignment_id"] == made["id"]
        assert (one["prescribed"], one["completed"]) == (1, 1)
        assert [(w["prescribed"], w["completed"]) for w in one["by_week"]] == [(1, 1)]
        assert one["last_done_at"] == "2026-11-13T08:00:00Z"
