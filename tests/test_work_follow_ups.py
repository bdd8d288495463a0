"""Full return to work in the RTW plan starts the 3- and 6-month follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from tests.checkin_helpers import relogin
from tests.factories import Actor, Api

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def _plan(api: Api, patient: Actor, stages: list[dict[str, Any]]) -> Any:
    response = api.client.put("/v1/me/rtw-plan", json={"stages": stages}, headers=patient.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _follow_ups(api: Api, patient: Actor) -> list[tuple[int, str]]:
    response = api.client.get(
        "/v1/me/follow-ups", params={"upcoming": "true"}, headers=patient.headers
    )
    assert response.status_code == 200, response.text
    return sorted((item["months"], item["due_on"]) for item in response.json()["data"])


def test_plan_reaching_zero_schedules_and_moves_follow_ups(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(api.therapist())
        _plan(api, patient, [{"starts_on": "2026-03-02", "sick_leave_percent": 50}])
        assert _follow_ups(api, patient) == []
        plan = _plan(
            api,
            patient,
            [
                {"starts_on": "2026-03-02", "sick_leave_percent": 50},
                {"starts_on": "2026-05-31", "sick_leave_percent": 0},
            ],
        )
        assert plan["full_return_on"] == "2026-05-31"
        # A planned return is not a return: nothing is listed before the 0 % stage begins.
        assert _follow_ups(api, patient) == []
        _plan(
            api,
            patient,
            [
                {"starts_on": "2026-03-02", "sick_leave_percent": 50},
                {"starts_on": "2026-06-15", "sick_leave_percent": 0},
            ],
        )
    with time_machine.travel(datetime(2026, 6, 14, 12, tzinfo=UTC), tick=False):
        relogin(api, patient)
        assert _follow_ups(api, patient) == []  # 14 June: the return begins tomorrow
    with time_machine.travel(datetime(2026, 6, 15, 12, tzinfo=UTC), tick=False):
        relogin(api, patient)
        assert _follow_ups(api, patient) == [(3, "2026-09-15"), (6, "2026-12-15")]
        _plan(api, patient, [{"starts_on": "2026-03-02", "sick_leave_percent": 50}])
        assert _follow_ups(api, patient) == []


def test_three_months_after_return_the_app_asks(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(api.therapist())
        _plan(api, patient, [{"starts_on": "2026-03-02", "sick_leave_percent": 0}])
    with time_machine.travel(datetime(2026, 6, 2, 9, 0, tzinfo=UTC), tick=False):
        patient.access_token = api.login(patient.email, patient.password)["access_token"]
        due = api.client.get("/v1/me/follow-ups", headers=patient.headers).json()["data"]
        assert [item["months"] for item in due] == [3]
