"""The RTW plan: validation with stable codes, versions kept, edits by patient and therapist."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.main import create_app
from app.work.models import rtw_plan_version_table
from app.work.service import full_return_on
from tests.factories import Actor, Api
from tests.race_helpers import race

NOW = "2026-11-16T10:00:00Z"
PLAN: dict[str, Any] = {
    "stages": [
        {"starts_on": "2026-11-02", "sick_leave_percent": 100},
        {"starts_on": "2026-11-16", "sick_leave_percent": 50, "adjustments": "Mornings only"},
        {"starts_on": "2026-11-30", "sick_leave_percent": 0},
    ]
}


def _put(api: Api, actor: Actor, body: dict[str, Any], patient: Actor | None = None) -> Any:
    url = f"/v1/patients/{patient.id}/rtw-plan" if patient else "/v1/me/rtw-plan"
    return api.client.put(url, json=body, headers=actor.headers)


def _versions(api: Api, patient: Actor) -> list[tuple[int, str, int]]:
    async def work(session: AsyncSession) -> list[tuple[int, str, int]]:
        t = rtw_plan_version_table.c
        rows = await session.execute(
            select(t.version, t.changed_by_role, t.body)
            .where(t.patient_id == patient.id)
            .order_by(t.version)
        )
        return [(r.version, r.changed_by_role, len(r.body["stages"])) for r in rows]

    return api.db(work)


@time_machine.travel(NOW, tick=False)
def test_no_plan_yet_is_an_empty_default_plan(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    mine = api.client.get("/v1/me/rtw-plan", headers=patient.headers)
    assert mine.status_code == 200
    body = mine.json()
    assert body["version"] == 0
    assert body["stages"] == []
    assert body["agreed_weekly_hours"] == 37.5
    assert body["work_days"] == ["mon", "tue", "wed", "thu", "fri"]
    theirs = api.client.get(f"/v1/patients/{patient.id}/rtw-plan", headers=therapist.headers)
    assert theirs.json() == body


@time_machine.travel(NOW, tick=False)
def test_patient_saves_a_plan_with_defaults_filled_in(api: Api) -> None:
    patient = api.patient()
    saved = _put(api, patient, PLAN)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["version"] == 1
    assert body["updated_by"] == str(patient.id)
    assert body["updated_by_role"] == "patient"
    # Each stage is reviewed 14 days after it starts; the first stage's review is due today.
    assert [s["review_on"] for s in body["stages"]] == ["2026-11-16", "2026-11-30", "2026-12-14"]
    assert [s["reviewed_on"] for s in body["stages"]] == [None, None, None]
    assert (body["next_review_on"], body["review_due"]) == ("2026-11-16", True)
    assert body["full_return_on"] == "2026-11-30"
    assert [s["planned_weekly_hours"] for s in body["stages"]] == [0.0, 18.75, 37.5]
    assert [s["ends_on"] for s in body["stages"]] == ["2026-11-15", "2026-11-29", None]
    assert body["stages"][1]["adjustments"] == "Mornings only"
    assert body["stages"][1]["planned_work_grade"] == 50
    assert api.client.get("/v1/me/rtw-plan", headers=patient.headers).json() == body
    assert api.db(lambda s: full_return_on(s, patient_id=patient.id)) == date(2026, 11, 30)


@time_machine.travel(NOW, tick=False)
def test_explicit_hours_work_days_and_review_date_are_kept(api: Api) -> None:
    patient = api.patient()
    body = {
        "agreed_weekly_hours": 30,
        "work_days": ["thu", "mon", "tue"],
        "stages": [
            {"starts_on": "2026-11-16", "sick_leave_percent": 60, "planned_weekly_hours": 13}
        ],
        "next_review_on": "2026-11-23",
    }
    saved = _put(api, patient, body).json()
    assert saved["work_days"] == ["mon", "tue", "thu"]
    assert saved["agreed_weekly_hours"] == 30.0
    assert saved["stages"][0]["planned_weekly_hours"] == 13.0
    assert saved["stages"][0]["planned_weekly_hours_explicit"] is True
    # The plan-level date is the review date of the stage in force that day.
    assert saved["stages"][0]["review_on"] == "2026-11-23"
    assert (saved["next_review_on"], saved["review_due"]) == ("2026-11-23", False)
    assert saved["full_return_on"] is None


@time_machine.travel(NOW, tick=False)
def test_invalid_plans_are_422_with_codes_and_store_nothing(api: Api) -> None:
    patient = api.patient()
    day1 = {"starts_on": "2026-11-02", "sick_leave_percent": 100}
    cases: list[tuple[list[dict[str, Any]], dict[str, Any], str]] = [
        (
            [day1, {"starts_on": "2026-11-16", "sick_leave_percent": 10}],
            {},
            "sick_leave_percent_not_allowed",
        ),
        ([{"starts_on": "2026-11-02", "sick_leave_percent": 101}], {}, "validation_error"),
        (
            [day1, {"starts_on": "2026-11-02", "sick_leave_percent": 50}],
            {},
            "stage_dates_not_distinct",
        ),
        ([day1, {"starts_on": "2026-10-26", "sick_leave_percent": 50}], {}, "stages_not_in_order"),
        ([day1], {"agreed_weekly_hours": 61}, "validation_error"),
        ([], {}, "validation_error"),
        ([day1], {"work_days": ["mon", "mon"]}, "validation_error"),
        ([{**day1, "adjustments": "x" * 1001}], {}, "validation_error"),
        ([{"starts_on": "9999-12-31", "sick_leave_percent": 50}], {}, "validation_error"),
        ([day1], {"next_review_on": "1999-12-31"}, "validation_error"),
        ([{**day1, "review_on": "2026-11-01"}], {}, "review_before_stage"),
        ([day1], {"next_review_on": "2026-11-01"}, "review_before_plan"),
        ([day1], {"unknown": 1}, "validation_error"),
    ]
    for stages, extra, code in cases:
        response = _put(api, patient, {"stages": stages, **extra})
        assert response.status_code == 422, (stages, extra, response.text)
        assert response.json()["code"] == code
    assert api.client.get("/v1/me/rtw-plan", headers=patient.headers).json()["version"] == 0
    assert _versions(api, patient) == []


@time_machine.travel(NOW, tick=False)
def test_updates_keep_every_version_and_who_made_it(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    assert _put(api, patient, {"stages": PLAN["stages"][:2]}).json()["version"] == 1
    by_therapist = _put(api, therapist, PLAN, patient)
    assert by_therapist.status_code == 200
    assert by_therapist.json()["version"] == 2
    assert by_therapist.json()["updated_by"] == str(therapist.id)
    assert by_therapist.json()["updated_by_role"] == "therapist"
    mine = api.client.get("/v1/me/rtw-plan", headers=patient.headers).json()
    assert mine["version"] == 2
    assert len(mine["stages"]) == 3
    assert _versions(api, patient) == [(1, "patient", 2), (2, "therapist", 3)]


@time_machine.travel(NOW, tick=False)
def test_a_stale_version_is_a_409_and_changes_nothing(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    assert _put(api, patient, {**PLAN, "version": 0}).json()["version"] == 1
    assert _put(api, therapist, {**PLAN, "version": 1}, patient).json()["version"] == 2
    stale = _put(api, patient, {"stages": PLAN["stages"][:1], "version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "plan_version_conflict"
    assert stale.json()["current_version"] == 2
    first_again = _put(api, patient, {**PLAN, "version": 0})
    assert first_again.status_code == 409
    assert len(api.client.get("/v1/me/rtw-plan", headers=patient.headers).json()["stages"]) == 3
    assert [v for v, _, _ in _versions(api, patient)] == [1, 2]


@time_machine.travel(NOW, tick=False)
def test_a_plan_is_only_the_owners(api: Api) -> None:
    therapist = api.therapist()
    patient, other = api.patient(therapist), api.patient(therapist)
    _put(api, patient, PLAN)
    assert api.client.get("/v1/me/rtw-plan", headers=other.headers).json()["version"] == 0
    stranger = api.therapist()
    hidden = api.client.get(f"/v1/patients/{patient.id}/rtw-plan", headers=stranger.headers)
    assert hidden.status_code == 404
    assert _put(api, stranger, PLAN, patient).status_code == 404
    assert [v for v, _, _ in _versions(api, patient)] == [1]


def test_two_saves_of_the_same_version_at_once_keep_one(api: Api, settings: Settings) -> None:
    # The patient's save is held after it locked the patient and read version 0, before it
    # writes; the therapist's save of version 0 waits for the lock, then reads version 1 and
    # answers the conflict (the branch for losing), never a second version 1 or a 500.
    with time_machine.travel(NOW, tick=True), TestClient(create_app(settings)) as other:
        therapist = api.therapist()
        patient = api.patient(therapist)
        body = {**PLAN, "version": 0}
        results = race(
            settings,
            other,
            "INSERT INTO RTW_PLANS",
            lambda: other.put("/v1/me/rtw-plan", json=body, headers=patient.headers),
            lambda: _put(api, therapist, body, patient),
        )
        assert [r.status_code for r in results] == [200, 409], [r.text for r in results]
        assert results[1].json() == {
            "detail": "The plan was changed by someone else; reload it and apply your change "
            "again.",
            "code": "plan_version_conflict",
            "current_version": 1,
        }
        assert _versions(api, patient) == [(1, "patient", 3)]


@time_machine.travel(NOW, tick=False)  # Monday 16 November 2026
def test_recording_a_review_moves_the_next_one(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    first = _put(api, patient, PLAN).json()
    assert (first["next_review_on"], first["review_due"]) == ("2026-11-16", True)
    reviewed = {
        **PLAN,
        "stages": [{**PLAN["stages"][0], "reviewed_on": "2026-11-16"}, *PLAN["stages"][1:]],
    }
    saved = _put(api, therapist, reviewed, patient).json()
    assert saved["stages"][0]["reviewed_on"] == "2026-11-16"
    assert (saved["next_review_on"], saved["review_due"]) == ("2026-11-30", False)
    theirs = api.client.get(f"/v1/patients/{patient.id}/rtw-plan", headers=therapist.headers)
    assert theirs.json() == api.client.get("/v1/me/rtw-plan", headers=patient.headers).json()
    # An explicit review date for a stage is kept.
    moved = {
        **reviewed,
        "stages": [
            reviewed["stages"][0],
            {**PLAN["stages"][1], "review_on": "2026-11-23"},
            PLAN["stages"][2],
        ],
    }
    assert _put(api, patient, moved).json()["next_review_on"] == "2026-11-23"
