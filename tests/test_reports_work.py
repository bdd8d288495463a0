"""The report's actual work grade: the welfare office's grade of the last complete week of
the period, by band, suppressed like every other group (hand-computed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

from tests.factories import Api
from tests.report_helpers import date_links, diary

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
WEEK = [date(2026, 11, 23) + timedelta(days=d) for d in range(5)]  # Mon 23 - Fri 27 Nov


def test_the_actual_grade_of_the_last_week_by_band(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        admin, therapist = api.admin(), api.therapist()
        half, off = (
            [api.patient(therapist) for _ in range(6)],
            [api.patient(therapist) for _ in range(5)],
        )
        for patient, percent in [*((p, 50) for p in half), *((p, 100) for p in off)]:
            date_links(api, patient, since=date(2026, 10, 1))
            plan = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": percent}]}
            response = api.client.put("/v1/me/rtw-plan", json=plan, headers=patient.headers)
            assert response.status_code == 200, response.text
        # 37.5 h a week agreed, Monday-Friday: 3.75 h a day is 18.75 / (37.5 / 5 x 5) = 50 %.
        for patient in half:
            diary(api, patient, dict.fromkeys(WEEK, 225))
        # On full sick leave: 0 h every weekday, an actual grade of 0.
        for patient in off:
            diary(api, patient, dict.fromkeys(WEEK, 0))
        # A week in the middle of the month does not count: only the last complete one.
        diary(api, off[0], {date(2026, 11, 10): 450})
        response = api.client.get(
            "/v1/reports/outcomes", params={"period": "2026-11"}, headers=admin.headers
        )
    assert response.status_code == 200, response.text
    figures = {f["key"]: f for f in response.json()["figures"]}
    actual = {
        k.removeprefix("rtw.actual."): f["value"]
        for k, f in figures.items()
        if k.startswith("rtw.actual.")
    }
    # 6 at 40-79 and 5 at none; the five empty bands hide together (0 < 5), so the smallest
    # published band (none, 5) hides too, and the hidden cells then hold 5 patients.
    assert actual == {
        "full": None,
        "partial_80_99": None,
        "partial_40_79": 6,
        "partial_1_39": None,
        "none": None,
        "incomplete": None,
        "no_grade": None,
    }
    assert figures["rtw.actual.partial_40_79"]["share"] == round(6 / 11, 3)
    assert figures["rtw.actual.none"]["suppressed"] is True
