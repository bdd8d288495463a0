"""The work-hour diary: one entry per local date, bounds, planned hours from the plan."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from typing import Any

import time_machine
from sqlalchemy import event

from app.work.service import diary_done_on
from tests.factories import Actor, Api

NOW = "2026-11-16T10:00:00Z"  # Monday 16 November in Oslo
PLAN = {
    "stages": [
        {"starts_on": "2026-11-02", "sick_leave_percent": 60},
        {"starts_on": "2026-11-11", "sick_leave_percent": 50},
    ]
}


def _put(api: Api, patient: Actor, day: str, body: dict[str, Any]) -> Any:
    return api.client.put(f"/v1/me/work-diary/{day}", json=body, headers=patient.headers)


@time_machine.travel(NOW, tick=False)
def test_first_write_is_201_then_200_and_replaces(api: Api) -> None:
    patient = api.patient()
    created = _put(api, patient, "2026-11-13", {"worked_hours": 3.75, "strain": 4, "tasks": "Mail"})
    assert created.status_code == 201, created.text
    assert created.json()["worked_hours"] == 3.75
    assert created.json()["planned_hours"] is None  # no plan yet
    replaced = _put(api, patient, "2026-11-13", {"worked_hours": 4.5, "note": "Long day"})
    assert replaced.status_code == 200
    body = replaced.json()
    assert (body["worked_hours"], body["strain"], body["tasks"], body["note"]) == (
        4.5,
        None,
        None,
        "Long day",
    )
    listed = api.client.get("/v1/me/work-diary", headers=patient.headers).json()
    assert listed["count"] == 1
    assert listed["data"][0] == body


@time_machine.travel(NOW, tick=False)
def test_planned_hours_default_from_the_plan(api: Api) -> None:
    patient = api.patient()
    assert api.client.put("/v1/me/rtw-plan", json=PLAN, headers=patient.headers).status_code == 200
    cases = {
        "2026-11-10": 3.0,  # Tuesday at 60 %: 15 h / 5
        "2026-11-11": 3.75,  # Wednesday at 50 %: 18.75 h / 5
        "2026-11-14": 0.0,  # Saturday
    }
    for day, planned in cases.items():
        entry = _put(api, patient, day, {"worked_hours": 2}).json()
        assert (entry["planned_hours"], entry["planned_from_plan"]) == (planned, True), day
    before = _put(api, patient, "2026-11-02", {"worked_hours": 0}).json()
    assert before["planned_hours"] == 3.0
    explicit = _put(api, patient, "2026-11-12", {"worked_hours": 2, "planned_hours": 2.5}).json()
    assert (explicit["planned_hours"], explicit["planned_from_plan"]) == (2.5, False)


@time_machine.travel(NOW, tick=False)
def test_diary_bounds_are_422(api: Api) -> None:
    patient = api.patient()
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("2026-11-16", {"worked_hours": 24.25}, "validation_error"),
        ("2026-11-16", {"worked_hours": -0.25}, "validation_error"),
        ("2026-11-16", {"worked_hours": 3.1}, "validation_error"),
        ("2026-11-16", {"worked_hours": 3, "strain": 11}, "validation_error"),
        ("2026-11-16", {"worked_hours": 3, "extra": 1}, "validation_error"),
        ("2026-11-17", {"worked_hours": 3}, "diary_date_in_future"),
        ("2026-11-01", {"worked_hours": 3}, "diary_date_too_old"),
        ("2026-13-01", {"worked_hours": 3}, "validation_error"),
        ("2026-11-16", {"worked_hours": 0, "day_type": "holiday"}, "validation_error"),
        ("2026-11-16", {"worked_hours": 2, "day_type": "vacation"}, "hours_on_day_off"),
        ("2026-11-16", {"worked_hours": 0.25, "day_type": "leave"}, "hours_on_day_off"),
    ]
    for day, body, code in cases:
        response = _put(api, patient, day, body)
        assert response.status_code == 422, (day, body, response.text)
        assert response.json()["code"] == code
    assert api.client.get("/v1/me/work-diary", headers=patient.headers).json()["count"] == 0
    assert _put(api, patient, "2026-11-02", {"worked_hours": 24}).status_code == 201
    assert _put(api, patient, "2026-11-16", {"worked_hours": 0}).status_code == 201


@time_machine.travel(NOW, tick=False)
def test_vacation_and_leave_days(api: Api) -> None:
    patient = api.patient()
    assert api.client.put("/v1/me/rtw-plan", json=PLAN, headers=patient.headers).status_code == 200
    vacation = _put(api, patient, "2026-11-12", {"day_type": "vacation", "worked_hours": 0})
    assert vacation.status_code == 201, vacation.text
    body = vacation.json()
    # A day off plans no hours (Thursday at 50 % would otherwise plan 3.75 h).
    assert (body["day_type"], body["worked_hours"], body["planned_hours"]) == ("vacation", 0, 0)
    assert body["planned_from_plan"] is False
    leave = _put(api, patient, "2026-11-13", {"day_type": "leave", "worked_hours": 0}).json()
    assert leave["day_type"] == "leave"
    # Back to a work day: the default type, planned hours from the plan again.
    work = _put(api, patient, "2026-11-12", {"worked_hours": 3}).json()
    assert (work["day_type"], work["planned_hours"], work["planned_from_plan"]) == (
        "work",
        3.75,
        True,
    )
    listed = api.client.get("/v1/me/work-diary?from=2026-11-12", headers=patient.headers).json()
    assert [e["day_type"] for e in listed["data"]] == ["work", "leave"]


def test_the_local_date_follows_the_patients_time_zone(api: Api) -> None:
    with time_machine.travel("2026-11-16T20:00:00Z", tick=False):  # 17 Nov 09:00 in Auckland
        patient = api.patient(timezone="Pacific/Auckland")
        assert _put(api, patient, "2026-11-17", {"worked_hours": 1}).status_code == 201


@time_machine.travel(NOW, tick=False)
def test_lists_by_range_with_pages_and_the_therapists_view(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    for day in ("2026-11-09", "2026-11-10", "2026-11-11", "2026-11-16"):
        _put(api, patient, day, {"worked_hours": 1})
    url = "/v1/me/work-diary?from=2026-11-09&to=2026-11-11&limit=2"
    first = api.client.get(url, headers=patient.headers).json()
    assert [e["local_date"] for e in first["data"]] == ["2026-11-09", "2026-11-10"]
    second = api.client.get(f"{url}&cursor={first['next_cursor']}", headers=patient.headers).json()
    assert [e["local_date"] for e in second["data"]] == ["2026-11-11"]
    assert second["next_cursor"] is None
    theirs = api.client.get(f"/v1/patients/{patient.id}/work-diary", headers=therapist.headers)
    assert theirs.status_code == 200
    assert theirs.json()["count"] == 4
    backwards = api.client.get(
        "/v1/me/work-diary?from=2026-11-11&to=2026-11-09", headers=patient.headers
    )
    assert backwards.status_code == 422
    assert backwards.json()["code"] == "invalid_date_range"
    edge = api.client.get("/v1/me/work-diary?to=0001-01-02", headers=patient.headers)
    assert edge.status_code == 200
    assert edge.json()["count"] == 0
    other = api.patient(therapist)
    assert api.client.get("/v1/me/work-diary", headers=other.headers).json()["count"] == 0


@time_machine.travel(NOW, tick=False)
def test_concurrent_writes_of_one_day_make_one_entry(api: Api) -> None:
    patient = api.patient()
    statuses: list[int] = []

    def write() -> None:
        statuses.append(_put(api, patient, "2026-11-16", {"worked_hours": 2}).status_code)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 201]
    assert api.client.get("/v1/me/work-diary", headers=patient.headers).json()["count"] == 1


@time_machine.travel(NOW, tick=False)
def test_diary_done_on_for_many_patients_at_once(api: Api) -> None:
    one, two = api.patient(), api.patient()
    api.client.put("/v1/me/rtw-plan", json=PLAN, headers=one.headers)
    _put(api, one, "2026-11-16", {"worked_hours": 3})
    today, saturday = date(2026, 11, 16), date(2026, 11, 14)
    ghost = uuid.uuid4()
    keys = [(one.id, today), (one.id, saturday), (two.id, today), (ghost, today)]
    found = api.db(lambda s: diary_done_on(s, patient_ids_and_dates=keys))
    assert [(found[k].done, found[k].work_day) for k in keys] == [
        (True, True),
        (False, False),
        (False, False),
        (False, False),
    ]


@time_machine.travel(NOW, tick=False)
def test_the_daily_write_and_the_summary_use_a_fixed_number_of_statements(api: Api) -> None:
    patient = api.patient()
    api.client.put("/v1/me/rtw-plan", json=PLAN, headers=patient.headers)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not sql.startswith(("BEGIN", "PRAGMA")):
            statements.append(sql.split()[0])

    engine = api.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        _put(api, patient, "2026-11-16", {"worked_hours": 3})
        write = list(statements)
        statements.clear()
        for day in ("2026-11-10", "2026-11-11", "2026-11-12"):
            _put(api, patient, day, {"worked_hours": 3})
        statements.clear()
        api.client.get("/v1/me/work-summary?weeks=12", headers=patient.headers)
        summary = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # the caller (1), the plan for planned hours (1), the upsert (1)
    assert write == ["SELECT", "SELECT", "INSERT"]
    # the caller, the plan, the diary rows: independent of weeks and entries
    assert summary == ["SELECT", "SELECT", "SELECT"]
