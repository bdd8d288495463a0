"""The week summary over HTTP: what the patient and their therapist see, week by week."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine

from app.work.service import last_week_grades
from tests.factories import Actor, Api

NOW = "2026-11-18T10:00:00Z"  # Wednesday of ISO week 2026-W47 in Oslo
PLAN = {
    "stages": [
        {"starts_on": "2026-11-03", "sick_leave_percent": 60},  # a Tuesday
        {"starts_on": "2026-11-11", "sick_leave_percent": 50},  # a Wednesday
    ]
}
WEEK_46 = {  # Mon 9 - Fri 13 November: 60 % on Monday and Tuesday, 50 % from Wednesday
    "2026-11-09": 3,
    "2026-11-10": 3,
    "2026-11-11": 3.75,
    "2026-11-12": 3.75,
    "2026-11-13": 3.75,
}


def _log(api: Api, patient: Actor, hours: dict[str, float]) -> None:
    for day, worked in hours.items():
        response = api.client.put(
            f"/v1/me/work-diary/{day}", json={"worked_hours": worked}, headers=patient.headers
        )
        assert response.status_code == 201, response.text


def _weeks(api: Api, actor: Actor, url: str) -> dict[str, dict[str, Any]]:
    response = api.client.get(url, headers=actor.headers)
    assert response.status_code == 200, response.text
    return {week["week"]: week for week in response.json()["weeks"]}


@time_machine.travel(NOW, tick=False)
def test_patient_and_therapist_see_the_same_weeks(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    assert api.client.put("/v1/me/rtw-plan", json=PLAN, headers=patient.headers).status_code == 200
    _log(api, patient, {"2026-11-04": 3, "2026-11-06": 8, "2026-11-07": 1})
    _log(api, patient, WEEK_46)
    _log(api, patient, {"2026-11-16": 4.5})
    mine = _weeks(api, patient, "/v1/me/work-summary?weeks=4")
    assert list(mine) == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
    assert mine["2026-W44"]["working_days"] == 0
    assert mine["2026-W44"]["actual_work_grade"] is None
    w45 = mine["2026-W45"]
    # Tue-Fri in the plan; Tue and Thu missing; Saturday counts: 12 / (7.5 x 2) -> 80.0
    assert (w45["working_days"], w45["reported_days"]) == (4, 2)
    assert w45["missing_days"] == ["2026-11-03", "2026-11-05"]
    assert (w45["worked_hours"], w45["planned_hours"]) == (12.0, 12.0)
    assert (w45["planned_work_grade"], w45["actual_work_grade"]) == (40.0, 80.0)
    w46 = mine["2026-W46"]
    # 17.25 / 37.5 = 46.0; planned (40 x 2 + 50 x 3) / 5 = 46.0; 6 + 11.25 = 17.25 h planned
    assert (w46["worked_hours"], w46["planned_hours"]) == (17.25, 17.25)
    assert (w46["planned_work_grade"], w46["actual_work_grade"]) == (46.0, 46.0)
    assert [(p["sick_leave_percent"], p["working_days"]) for p in w46["sick_leave"]] == [
        (60, 2),
        (50, 3),
    ]
    w47 = mine["2026-W47"]
    # partial: Mon-Wed counted, Tuesday and today missing: 4.5 / 7.5 -> 60.0
    assert w47["partial"] is True
    assert w47["missing_days"] == ["2026-11-17", "2026-11-18"]
    assert w47["actual_work_grade"] == 60.0
    theirs = _weeks(api, therapist, f"/v1/patients/{patient.id}/work-summary?weeks=4")
    assert theirs == mine


@time_machine.travel(NOW, tick=False)
def test_fifty_percent_week_matches_the_caseworkers_number(api: Api) -> None:
    patient = api.patient()
    plan = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 50}]}
    api.client.put("/v1/me/rtw-plan", json=plan, headers=patient.headers)
    _log(api, patient, dict.fromkeys(WEEK_46, 3.75))
    week = _weeks(api, patient, "/v1/me/work-summary")["2026-W46"]
    assert (week["worked_hours"], week["planned_hours"]) == (18.75, 18.75)
    assert (week["planned_work_grade"], week["actual_work_grade"]) == (50.0, 50.0)
    assert week["missing_days"] == []
    summary = api.client.get("/v1/me/work-summary", headers=patient.headers).json()
    assert len(summary["weeks"]) == 8
    assert summary["agreed_weekly_hours"] == 37.5


@time_machine.travel(NOW, tick=False)
def test_without_a_plan_weeks_are_empty_and_weeks_is_bounded(api: Api) -> None:
    patient = api.patient()
    _log(api, patient, {"2026-11-16": 2})
    summary = api.client.get("/v1/me/work-summary?weeks=1", headers=patient.headers).json()
    assert summary["agreed_weekly_hours"] is None
    assert summary["weeks"][0]["actual_work_grade"] is None
    for weeks in (0, 53):
        bad = api.client.get(f"/v1/me/work-summary?weeks={weeks}", headers=patient.headers)
        assert bad.status_code == 422


@time_machine.travel(NOW, tick=False)
def test_last_week_grades_for_many_patients(api: Api) -> None:
    one, two, three = api.patient(), api.patient(), api.patient()
    plan = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 50}]}
    for patient in (one, two):
        api.client.put("/v1/me/rtw-plan", json=plan, headers=patient.headers)
    _log(api, one, dict.fromkeys(WEEK_46, 3.75))
    _log(api, two, {"2026-11-09": 7.5})
    today = date(2026, 11, 18)
    found = api.db(
        lambda s: last_week_grades(
            s, today_by_patient={one.id: today, two.id: today, three.id: today}
        )
    )
    assert {k: v.week for k, v in found.items()} == dict.fromkeys(
        (one.id, two.id, three.id), "2026-W46"
    )
    assert str(found[one.id].actual_work_grade) == "50.0"
    assert str(found[two.id].actual_work_grade) == "100.0"
    assert len(found[two.id].missing_days) == 4
    assert found[three.id].actual_work_grade is None
