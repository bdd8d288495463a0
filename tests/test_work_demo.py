"""The demo patient works a four-day contract and their actual and planned grades agree.

Issue 10, "Done when": the demo data shows a patient on a four-day contract whose actual and
planned grades agree -- by the welfare office's rule, whose divisor is five weekdays whatever
the contract (30 h over Mon-Thu at 60 % sick leave: 12 h / 30 h = 40 = 100 - 60).
"""

from __future__ import annotations

import time_machine

from tests.dashboard_helpers import NOW
from tests.factories import Api


@time_machine.travel(NOW, tick=False)  # Wednesday 18 November 2026
def test_the_demo_patient_keeps_to_a_four_day_plan(api: Api) -> None:
    from app.seed import seed_demo

    api.db(lambda session: seed_demo(session, hasher=api.services.hasher))
    patient = api.login("patient@demo.example.com", "demo-patient-pass")
    headers = {"Authorization": f"Bearer {patient['access_token']}"}
    plan = api.client.get("/v1/me/rtw-plan", headers=headers).json()
    assert (plan["agreed_weekly_hours"], plan["work_days"]) == (30.0, ["mon", "tue", "wed", "thu"])
    weeks = api.client.get("/v1/me/work-summary?weeks=8", headers=headers).json()["weeks"]
    closed = [w for w in weeks if not w["partial"] and w["working_days"]]
    assert [(w["sick_leave_percent"], w["actual_grade"]) for w in closed] == [
        (100, 0),
        (100, 0),
        (60, 40),
        (60, 40),
        (40, 60),
        (40, 60),
    ]
    assert all(w["actual_grade"] == w["planned_grade"] and w["complete"] for w in closed)
    periods = api.client.get("/v1/me/work-summary?by=period", headers=headers).json()["periods"]
    assert [(p["sick_leave_percent"], p["partial"]) for p in periods] == [
        (100, False),
        (60, False),
        (40, True),
    ]
    # The two finished periods: the hours to type into the sick-pay application, and grades
    # that agree (60 %: 2 weeks x 12 h = 24 h).
    assert [(p["hours_worked"], p["actual_grade"], p["planned_grade"]) for p in periods[:2]] == [
        (0.0, 0, 0),
        (24.0, 40, 40),
    ]
    therapist = api.login("therapist@demo.example.com", "demo-therapist-pass")
    (row,) = api.client.get(
        "/v1/patients", headers={"Authorization": f"Bearer {therapist['access_token']}"}
    ).json()["data"]
    assert (row["work_week"]["actual_grade"], row["work_week"]["planned_grade"]) == (60, 60)
    assert "review_due" in row["flags"]  # the current stage's review (this Monday) is not held
    assert (plan["next_review_on"], plan["review_due"]) == ("2026-11-16", True)
