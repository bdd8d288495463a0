"""The summaries' one-value-per-patient statement (app.dashboard.summary_head): the parsed-plan
cache follows a changed plan, and the patient detail costs the same statements whatever the
history."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import time_machine

from app.dashboard.summary_head import _plan
from app.work.plan import plan_of
from tests.checkin_helpers import seed_scores
from tests.dashboard_helpers import NOW, counted
from tests.factories import Actor, Api

TODAY = date(2026, 11, 18)


def _row(api: Api, therapist: Actor) -> dict[str, Any]:
    answer = api.client.get("/v1/patients", headers=therapist.headers)
    assert answer.status_code == 200, answer.text
    (row,) = answer.json()["data"]
    return dict(row)


def _save(api: Api, patient: Actor, percent: int) -> None:
    plan = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": percent}]}
    saved = api.client.put("/v1/me/rtw-plan", json=plan, headers=patient.headers)
    assert saved.status_code == 200, saved.text


@time_machine.travel(NOW, tick=False)
def test_the_worklist_follows_a_changed_plan(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    _save(api, patient, 50)
    assert _row(api, therapist)["work_week"]["planned_grade"] == 50
    _save(api, patient, 20)  # a new text: parsed anew, not the cached 50 %
    assert _row(api, therapist)["work_week"]["planned_grade"] == 80
    detail = api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers)
    assert detail.json()["summary"]["work_week"]["planned_grade"] == 80


def test_a_plan_text_is_parsed_once_into_the_same_plan() -> None:
    body = {
        "agreed_weekly_hours": 30,
        "work_days": ["mon", "tue", "wed"],
        "stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 60}],
    }
    text = json.dumps(body)
    assert _plan(text) is _plan(text)
    assert _plan(text) == plan_of(body)
    assert _plan(json.dumps({**body, "agreed_weekly_hours": 20})) != plan_of(body)


@time_machine.travel(NOW, tick=False)
def test_the_patient_detail_runs_the_same_statements_for_a_new_and_a_long_history(
    api: Api,
) -> None:
    therapist = api.therapist()
    new, seasoned = api.patient(therapist), api.patient(therapist)
    seed_scores(api, seasoned, {TODAY - timedelta(days=d): 4.0 for d in range(60)})
    _save(api, seasoned, 50)
    sizes = []
    for who in (new, seasoned):
        with counted(api) as statements:
            answer = api.client.get(f"/v1/patients/{who.id}", headers=therapist.headers)
            assert answer.status_code == 200, answer.text
        sizes.append(len(statements))
    # auth 1, the care link 1, the profile 1, the summary 13 (app.dashboard.summary), the
    # access log 1
    assert sizes == [17, 17]
