"""The hand-computed caseload of the outcome-report tests: who is in it, what they did, and
every figure of its November 2026 report as worked out by hand (None: suppressed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.checkin_helpers import seed_scores
from tests.factories import Actor, Api
from tests.measure_helpers import answer
from tests.report_helpers import booster, date_links, diary, follow_up, homework

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # "last month" is November 2026
NOV = date(2026, 11, 1)


def _day(n: int) -> date:
    return NOV + timedelta(days=n - 1)


def _plan(api: Api, patient: Actor, *stages: tuple[str, int]) -> None:
    body = {"stages": [{"starts_on": d, "sick_leave_percent": p} for d, p in stages]}
    response = api.client.put("/v1/me/rtw-plan", json=body, headers=patient.headers)
    assert response.status_code == 200, response.text


def caseload(api: Api) -> tuple[Actor, Actor, list[Actor]]:
    """Therapist A: P1-P8 since 1 Sep, P9-P12 since 5 Nov (started in the period).
    Therapist B: P13, P14 since 1 Aug, ended 20 Nov; P15 ended 15 Oct (not active)."""
    a, b = api.therapist(), api.therapist()
    ps = [api.patient(a if i <= 12 else b) for i in range(1, 16)]
    for i, p in enumerate(ps, 1):
        if i <= 8:
            date_links(api, p, since=date(2026, 9, 1))
        elif i <= 12:
            date_links(api, p, since=_day(5))
        elif i <= 14:
            date_links(api, p, since=date(2026, 8, 1), until=_day(20))
        else:
            date_links(api, p, since=date(2026, 8, 1), until=date(2026, 10, 15))
    # RTW: P1-P5 100 % from 1 Oct, 50 % from 16 Nov (working 40-79, up from none);
    # P6-P11 100 % from 1 Sep (none, same); P12 no plan (unknown);
    # P13, P14 60 % from 1 Aug, back at work 10 Nov (full, up from 40-79).
    for p in ps[:5]:
        _plan(api, p, ("2026-10-01", 100), ("2026-11-16", 50))
    for p in ps[5:11]:
        _plan(api, p, ("2026-09-01", 100))
    for p in ps[12:14]:
        _plan(api, p, ("2026-08-01", 60), ("2026-11-10", 0))
    # The last complete week of November (23-29): P6-P11 record 0 h on every weekday (an
    # actual grade of 0: none); P1-P5 record nothing (incomplete).
    for p in ps[5:11]:
        diary(api, p, {_day(d): 0 for d in range(23, 28)})
    # RTW-SE: P1-P5 first 7 at 3.0 (low), last 7 at 4.0 (moderate): up a band;
    # P6 7 at 5.0 (and one on 1 Dec, after the period, at 1.0); P7 3 check-ins (too few).
    for p in ps[:5]:
        seed_scores(api, p, {_day(d): 3.0 if d <= 7 else 4.0 for d in range(1, 15)})
    seed_scores(api, ps[5], {**{_day(d): 5.0 for d in range(1, 8)}, date(2026, 12, 1): 1.0})
    seed_scores(api, ps[6], {_day(d): 2.0 for d in range(1, 4)})
    # Homework from 1 Nov, once a day; as of 30 Nov (the period's last day counts only
    # what was done): P1 30/30, P2 29/29, P3 0/29, P4 10/29, P5 20/29.
    for p, days in zip(ps[:5], (30, 29, 0, 10, 20), strict=True):
        homework(api, p, starts_on=NOV, logged=[_day(d) for d in range(1, days + 1)])
    # Boosters: P1-P3 completed, P4-P5 declined (asked by the patient), P6 open (the rule);
    # P7 completed in October (a session, not a request of the period).
    for p in ps[:3]:
        booster(api, p, source="patient", status="completed", created=_day(10), resolved=_day(20))
    for p in ps[3:5]:
        booster(api, p, source="patient", status="declined", created=_day(10), resolved=_day(12))
    booster(api, ps[5], source="checkin_rule", status="open", created=_day(12))
    booster(
        api,
        ps[6],
        source="patient",
        status="completed",
        created=date(2026, 10, 1),
        resolved=date(2026, 10, 5),
    )
    # Follow-ups at 3 months due in November: P1-P4 still working, P5 not, P6 unanswered.
    for p in ps[:4]:
        follow_up(api, p, months=3, due_on=_day(15), still_working=True)
    follow_up(api, ps[4], months=3, due_on=_day(15), still_working=False)
    follow_up(api, ps[5], months=3, due_on=_day(20), still_working=None)
    # PHQ-9: P1-P5 15 -> 8 (improved, recovered); P6 12 -> 20 (deteriorated); P7 5 once
    # (and 20 on 1 Dec, after the period).
    for p, first, last in [*((p, 15, 8) for p in ps[:5]), (ps[5], 12, 20)]:
        answer(api, p, "phq9", first, "2026-11-02T09:00:00Z")
        answer(api, p, "phq9", last, "2026-11-25T09:00:00Z")
    answer(api, ps[6], "phq9", 5, "2026-11-02T09:00:00Z")
    answer(api, ps[6], "phq9", 20, "2026-12-01T09:00:00Z")
    return a, b, ps


H = None  # a suppressed figure
EXPECTED: dict[str, Any] = {
    "patients.active": 14,
    "patients.started": H,  # 4
    "patients.continuing": H,  # 10, else recovered as 14 - 10
    "patients.ended": H,  # 2
    "patients.in_treatment": H,  # 12
    "rtw.end.full": H,  # 2
    "rtw.end.partial_80_99": H,  # 0
    "rtw.end.partial_40_79": H,  # 5: the hidden 2 + 0 + 0 + 1 would be 3 < 5
    "rtw.end.partial_1_39": H,  # 0
    "rtw.end.none": 6,
    "rtw.end.unknown": H,  # 1
    "rtw.change.up": 7,
    "rtw.change.same": H,  # 6: the hidden 0 + 1 would be 1 < 5
    "rtw.change.down": H,
    "rtw.change.unknown": H,
    "rtw.actual.full": H,  # 0
    "rtw.actual.partial_80_99": H,  # 0
    "rtw.actual.partial_40_79": H,  # 0
    "rtw.actual.partial_1_39": H,  # 0
    "rtw.actual.none": 6,  # P6-P11
    "rtw.actual.incomplete": H,  # 5 (P1-P5): the hidden 0s and 3 would be 3 < 5
    "rtw.actual.no_grade": H,  # 3: P12 (no plan), P13 and P14 (back at work)
    "rtwse.patients": 6,
    "rtwse.too_few": 8,
    "rtwse.baseline_mean": 3.33,  # (5 x 3.0 + 5.0) / 6
    "rtwse.latest_mean": 4.17,  # (5 x 4.0 + 5.0) / 6
    "rtwse.band_up": H,  # 5, but its complement is 1
    "rtwse.band_not_up": H,
    "adherence.patients": 5,
    "adherence.none_prescribed": 9,
    "adherence.rate.q1": 0.345,  # 10/29
    "adherence.rate.median": 0.69,  # 20/29
    "adherence.rate.q3": 1.0,
    "boosters.requests": 6,
    "boosters.patients_without": 8,
    **{f"boosters.source.{s}": H for s in ("patient", "checkin_rule", "follow_up")},
    **{
        f"boosters.outcome.{s}": H
        for s in ("open", "scheduled", "completed", "declined", "cancelled")
    },
    # 14 patients: ten 0, four 1 (P1-P3, P7): inclusive quartiles at 3.25, 6.5, 9.75.
    "sessions.completed.q1": 0.0,
    "sessions.completed.median": 0.0,
    "sessions.completed.q3": 0.75,
    "followups.3m.due": 6,
    "followups.3m.patients_without": 8,
    "followups.3m.answered": H,  # 5, its complement 1
    "followups.3m.unanswered": H,
    "followups.3m.still_working": H,
    "followups.3m.not_working": H,
    **{f"followups.6m.{k}": H for k in ("due", "patients_without", "answered", "unanswered")},
    **{f"followups.6m.{k}": H for k in ("still_working", "not_working")},
    "measures.phq9.patients": 7,
    "measures.phq9.none": 7,
    "measures.phq9.case_at_start": H,  # 6, its complement 1
    "measures.phq9.not_case_at_start": H,
    "measures.phq9.paired": H,  # 6, its complement 1
    "measures.phq9.single": H,
    "measures.phq9.improved": 5,  # its total and both siblings are hidden
    "measures.phq9.deteriorated": H,
    "measures.phq9.no_reliable_change": H,
    "measures.phq9.paired_cases": 6,
    "measures.phq9.paired_not_cases": H,
    "measures.phq9.recovered": H,  # 5, its complement 1
    "measures.phq9.not_recovered": H,
    **{
        f"measures.gad7.{k}": H
        for k in (
            "patients",
            "none",  # 14, but the only other cell of its group is hidden
            "case_at_start",
            "not_case_at_start",
            "paired",
            "single",
            "improved",
            "deteriorated",
            "no_reliable_change",
            "paired_cases",
            "paired_not_cases",
            "recovered",
            "not_recovered",
        )
    },
    **{f"jobsupport.{k}": H for k in ("accepted", "not_accepted", "new_jobs", "no_new_job")},
}
