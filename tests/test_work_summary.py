"""The week summary over HTTP: what the patient and their therapist see, week by week."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine

from app.work.service import work_at_a_glance
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
    assert mine["2026-W44"]["actual_grade"] is None
    w45 = mine["2026-W45"]
    # Tue-Fri in the plan; Tue and Thu have no entry and count as 0 h; Saturday's hour counts:
    # 12 / (7.5 x 4) = 40
    assert (w45["weekdays_in_period"], w45["weekdays_recorded"], w45["working_days"]) == (4, 2, 4)
    assert (w45["complete"], w45["missing_days"]) == (False, ["2026-11-03", "2026-11-05"])
    assert (w45["hours_worked"], w45["planned_hours"]) == (12.0, 12.0)
    assert (w45["planned_grade"], w45["actual_grade"], w45["above_plan"]) == (40, 40, False)
    assert w45["sick_leave_percent"] == 60
    w46 = mine["2026-W46"]
    # 17.25 / 37.5 = 46; planned (40 x 2 + 50 x 3) / 5 = 46; 6 + 11.25 = 17.25 h planned
    assert (w46["hours_worked"], w46["planned_hours"]) == (17.25, 17.25)
    assert (w46["planned_grade"], w46["actual_grade"], w46["complete"]) == (46, 46, True)
    assert w46["sick_leave_percent"] is None  # 60 % and 50 % in one week
    assert [(p["sick_leave_percent"], p["working_days"]) for p in w46["sick_leave"]] == [
        (60, 2),
        (50, 3),
    ]
    w47 = mine["2026-W47"]
    # Wednesday, no entry yet today: Mon-Tue so far, Tuesday missing: 4.5 / (7.5 x 2) = 30
    assert (w47["partial"], w47["weekdays_in_period"], w47["missing_days"]) == (
        True,
        2,
        ["2026-11-17"],
    )
    assert (w47["actual_grade"], w47["planned_grade"]) == (30, 50)
    theirs = _weeks(api, therapist, f"/v1/patients/{patient.id}/work-summary?weeks=4")
    assert theirs == mine

    periods = api.client.get("/v1/me/work-summary?by=period", headers=patient.headers).json()
    assert (periods["by"], periods["weeks"]) == ("period", [])
    first, second = periods["periods"]
    # 60 %, Tue 3 - Tue 10 November: 6 weekdays, 3 + 8 + 1 + 3 + 3 = 18 h: 18 / 45 = 40
    assert (first["starts_on"], first["ends_on"], first["sick_leave_percent"]) == (
        "2026-11-03",
        "2026-11-10",
        60,
    )
    assert (first["hours_worked"], first["working_days"], first["weekdays_recorded"]) == (18, 6, 4)
    assert (first["actual_grade"], first["planned_grade"], first["complete"]) == (40, 40, False)
    assert first["partial"] is False
    # 50 %, from Wed 11 November, open-ended: Wed 11 - Tue 17 so far: 15.75 / 37.5 = 42
    assert (second["starts_on"], second["ends_on"], second["partial"]) == ("2026-11-11", None, True)
    assert (second["hours_worked"], second["working_days"], second["missing_days"]) == (
        15.75,
        5,
        ["2026-11-17"],
    )
    assert (second["actual_grade"], second["planned_grade"]) == (42, 50)
    theirs_by_period = api.client.get(
        f"/v1/patients/{patient.id}/work-summary?by=period", headers=therapist.headers
    ).json()
    assert theirs_by_period == periods


@time_machine.travel(NOW, tick=False)
def test_issue_cases_mixed_stages_missing_days_and_no_working_days_over_http(api: Api) -> None:
    # 37.5 h; Mon-Wed at 50 %, Thu-Sun at 20 %; 25.75 h including 2 h on Saturday -> 69.
    mixed = api.patient()
    plan = {
        "stages": [
            {"starts_on": "2026-11-02", "sick_leave_percent": 50},
            {"starts_on": "2026-11-12", "sick_leave_percent": 20},
        ]
    }
    assert api.client.put("/v1/me/rtw-plan", json=plan, headers=mixed.headers).is_success
    _log(
        api,
        mixed,
        {
            "2026-11-09": 3.75,
            "2026-11-10": 3.75,
            "2026-11-11": 3.75,
            "2026-11-12": 6,
            "2026-11-13": 6.5,
            "2026-11-14": 2,
        },
    )
    week = _weeks(api, mixed, "/v1/me/work-summary")["2026-W46"]
    # 25.75 / 37.5 = 68.67 -> 69; planned (50 x 3 + 80 x 2) / 5 = 62
    assert (week["hours_worked"], week["actual_grade"], week["planned_grade"]) == (25.75, 69, 62)
    assert (week["above_plan"], week["sick_leave_percent"]) == (True, None)
    # Two of five weekdays recorded at 3.75 h -> 7.5 / 37.5 = 20, incomplete.
    sparse = api.patient()
    plan = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 50}]}
    assert api.client.put("/v1/me/rtw-plan", json=plan, headers=sparse.headers).is_success
    _log(api, sparse, {"2026-11-09": 3.75, "2026-11-11": 3.75})
    week = _weeks(api, sparse, "/v1/me/work-summary")["2026-W46"]
    assert (week["actual_grade"], week["weekdays_recorded"], week["complete"]) == (20, 2, False)
    assert week["missing_days"] == ["2026-11-10", "2026-11-12", "2026-11-13"]
    # A week whose weekdays are all vacation has no working days: null, not 0.
    away = api.patient()
    assert api.client.put("/v1/me/rtw-plan", json=plan, headers=away.headers).is_success
    for day in WEEK_46:
        response = api.client.put(
            f"/v1/me/work-diary/{day}",
            json={"day_type": "vacation", "worked_hours": 0},
            headers=away.headers,
        )
        assert response.status_code == 201, response.text
    week = _weeks(api, away, "/v1/me/work-summary")["2026-W46"]
    assert (week["working_days"], week["actual_grade"], week["planned_grade"]) == (0, None, None)
    assert (week["days_off"], week["complete"], week["above_plan"]) == (5, True, False)


@time_machine.travel(NOW, tick=False)
def test_issue_cases_over_http(api: Api) -> None:
    # The four-day contract: 30 h over Mon-Thu at 50 %, 15 h worked -> 50, planned 50.
    four_days = api.patient()
    plan = {
        "agreed_weekly_hours": 30,
        "work_days": ["mon", "tue", "wed", "thu"],
        "stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 50}],
    }
    assert api.client.put("/v1/me/rtw-plan", json=plan, headers=four_days.headers).is_success
    _log(api, four_days, dict.fromkeys(list(WEEK_46)[:4], 3.75))
    week = _weeks(api, four_days, "/v1/me/work-summary")["2026-W46"]
    assert (week["actual_grade"], week["planned_grade"], week["working_days"]) == (50, 50, 5)
    assert (week["complete"], week["hours_worked"], week["planned_hours"]) == (True, 15.0, 15.0)
    # Two vacation days and 11.25 h at 50 % -> 11.25 / (7.5 x 3) = 50.
    vacation = api.patient()
    plan = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 50}]}
    assert api.client.put("/v1/me/rtw-plan", json=plan, headers=vacation.headers).is_success
    for day in ("2026-11-09", "2026-11-10"):
        response = api.client.put(
            f"/v1/me/work-diary/{day}",
            json={"day_type": "vacation", "worked_hours": 0},
            headers=vacation.headers,
        )
        assert response.status_code == 201, response.text
    _log(api, vacation, {"2026-11-11": 3.75, "2026-11-12": 3.75, "2026-11-13": 3.75})
    week = _weeks(api, vacation, "/v1/me/work-summary")["2026-W46"]
    assert (week["days_off"], week["working_days"], week["actual_grade"]) == (2, 3, 50)
    # 42 h on a 37.5 h agreement -> 112, not capped, above plan.
    above = api.patient()
    assert api.client.put("/v1/me/rtw-plan", json=plan, headers=above.headers).is_success
    _log(api, above, {**dict.fromkeys(list(WEEK_46)[:4], 9), "2026-11-13": 6})
    week = _weeks(api, above, "/v1/me/work-summary")["2026-W46"]
    assert (week["actual_grade"], week["above_plan"]) == (112, True)


@time_machine.travel(NOW, tick=False)
def test_without_a_plan_rows_are_empty_and_the_query_is_bounded(api: Api) -> None:
    patient = api.patient()
    _log(api, patient, {"2026-11-16": 2})
    summary = api.client.get("/v1/me/work-summary?weeks=1", headers=patient.headers).json()
    assert (summary["agreed_weekly_hours"], summary["by"]) == (None, "week")
    assert summary["weeks"][0]["actual_grade"] is None
    assert summary["weeks"][0]["hours_worked"] == 0
    assert api.client.get("/v1/me/work-summary", headers=patient.headers).json()["periods"] == []
    none = api.client.get("/v1/me/work-summary?by=period", headers=patient.headers).json()
    assert (none["periods"], none["weeks"]) == ([], [])
    for query in ("weeks=0", "weeks=53", "by=month"):
        bad = api.client.get(f"/v1/me/work-summary?{query}", headers=patient.headers)
        assert bad.status_code == 422, query


@time_machine.travel(NOW, tick=False)
def test_work_at_a_glance_for_many_patients(api: Api) -> None:
    one, two, three = api.patient(), api.patient(), api.patient()
    plan = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 50}]}
    for patient in (one, two):
        api.client.put("/v1/me/rtw-plan", json=plan, headers=patient.headers)
    _log(api, one, dict.fromkeys(WEEK_46, 3.75))
    _log(api, two, {"2026-11-09": 7.5})
    today = date(2026, 11, 18)
    found = api.db(
        lambda s: work_at_a_glance(
            s, today_by_patient={one.id: today, two.id: today, three.id: today}
        )
    )
    assert {k: v.last_week.first for k, v in found.items()} == dict.fromkeys(
        (one.id, two.id, three.id), date(2026, 11, 9)
    )
    assert (found[one.id].last_week.actual_grade, found[one.id].last_week.complete) == (50, True)
    # 7.5 h and four weekdays without an entry: 7.5 / 37.5 = 20
    assert found[two.id].last_week.actual_grade == 20
    assert len(found[two.id].last_week.missing_days) == 4
    assert found[three.id].last_week.actual_grade is None
    # The single stage started 2 November: its review (16 November) is due and not held.
    assert [found[p.id].review_due for p in (one, two, three)] == [True, True, False]
