"""Worklist flags (pure): thresholds and their order, most urgent first (issue 10 §3)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from app.dashboard.schemas import BoosterCounts, PatientSummary, RiskAlertCounts, WorkFocusBrief
from app.dashboard.summary import flags_of
from app.workfocus.queries import PatientWorkFocus

TODAY = date(2026, 11, 18)


def row(**changes: Any) -> PatientSummary:
    values: dict[str, Any] = {
        "patient_id": uuid.uuid4(),
        "display_name": "P",
        "local_date": TODAY,
        "last_checkin_on": TODAY,
        "rtw_se_mean_7d": 5.0,
        "rtw_se_checkins_7d": 1,
        "rtw_se_band": "high",
        "rtw_se_change_7d": None,
        "rtw_se_rule_mean": 5.0,
        "illustrative": True,
        "adherence_7d": None,
        "adherence_28d": None,
        "work_week": None,
        "booster_requests": BoosterCounts(open=0, scheduled=0),
        "follow_ups_due": 0,
        "phq9": None,
        "gad7": None,
        "risk_alerts": RiskAlertCounts(unacknowledged=0, overdue=0, oldest_at=None),
        "work_focus": WorkFocusBrief(
            workplace_rating=None,
            barriers_checked_on=None,
            next_meeting_at=None,
            status_check_on=None,
            goals_reached_28d=0,
            last_goal_reached_on=None,
        ),
        "flags": [],
    }
    values.update(changes)
    return PatientSummary(**values)


def flags(
    summary: PatientSummary,
    linked_on: date | None = None,
    work: PatientWorkFocus | None = None,
    **extra: bool,
) -> list[str]:
    options = {
        "low_rtw_se": False,
        "review_due": False,
        "measure_overdue": False,
        "joint_meeting_due": False,
        **extra,
    }
    found = work or PatientWorkFocus(today=TODAY)
    return list(flags_of(summary, linked_on=linked_on, work=found, **options))


@pytest.mark.parametrize(
    ("days_silent", "expected"),
    [(0, []), (2, []), (3, ["no_checkin_3d"]), (6, ["no_checkin_3d"]), (7, ["no_checkin_7d"])],
)
def test_days_without_a_check_in(days_silent: int, expected: list[str]) -> None:
    assert flags(row(last_checkin_on=TODAY - timedelta(days=days_silent))) == expected


def test_never_checked_in_counts_from_the_start_of_care() -> None:
    never = row(last_checkin_on=None)
    assert flags(never, linked_on=TODAY) == []
    assert flags(never, linked_on=TODAY - timedelta(days=3)) == ["no_checkin_3d"]
    assert flags(never, linked_on=TODAY - timedelta(days=30)) == ["no_checkin_7d"]
    assert flags(never, linked_on=None) == []


@pytest.mark.parametrize(("adherence", "flagged"), [(0.5, False), (0.499, True), (None, False)])
def test_low_adherence_is_strictly_below_one_half(adherence: float | None, flagged: bool) -> None:
    assert (flags(row(adherence_7d=adherence)) == ["low_adherence"]) is flagged


def test_every_flag_in_urgency_order() -> None:
    everything = row(
        last_checkin_on=TODAY - timedelta(days=9),
        adherence_7d=0.1,
        booster_requests=BoosterCounts(open=1, scheduled=0),
        follow_ups_due=2,
        risk_alerts=RiskAlertCounts(unacknowledged=1, overdue=0, oldest_at=None),
    )
    work = PatientWorkFocus(
        today=TODAY,
        workplace_rating=3,
        next_meeting_on=TODAY + timedelta(days=3),
        status_check_on=TODAY,
    )
    raised = flags(
        everything,
        work=work,
        low_rtw_se=True,
        review_due=True,
        measure_overdue=True,
        joint_meeting_due=True,
    )
    assert raised == [
        "risk",
        "workplace_conflict",
        "no_checkin_7d",
        "low_rtw_se",
        "measure_overdue",
        "low_adherence",
        "booster_open",
        "follow_up_due",
        "joint_meeting_due",
        "dialogue_meeting_soon",
        "review_due",
        "status_check_due",
    ]
    # A scheduled request is on its way: not an open one to triage.
    assert flags(row(booster_requests=BoosterCounts(open=0, scheduled=1))) == []


def test_risk_is_raised_by_any_unacknowledged_alert_and_only_then() -> None:
    def counts(unacknowledged: int, overdue: int) -> RiskAlertCounts:
        return RiskAlertCounts(unacknowledged=unacknowledged, overdue=overdue, oldest_at=None)

    assert flags(row(risk_alerts=counts(1, 0))) == ["risk"]
    assert flags(row(risk_alerts=counts(3, 3))) == ["risk"]
    assert flags(row(risk_alerts=counts(0, 0))) == []
    assert flags(row(), measure_overdue=True) == ["measure_overdue"]


@pytest.mark.parametrize(
    ("rating", "check_in_days", "expected"),
    [
        (2, 1, []),
        (3, 1, ["workplace_conflict"]),
        (None, 0, ["status_check_due"]),
        (None, -1, ["status_check_due"]),
    ],
)
def test_work_flags_from_the_work_focus_reads(
    rating: int | None, check_in_days: int, expected: list[str]
) -> None:
    """Conflict or harassment rated 3 (issue 13); a status check today or past is due."""
    work = PatientWorkFocus(
        today=TODAY,
        workplace_rating=rating,
        status_check_on=TODAY + timedelta(days=check_in_days),
    )
    assert flags(row(), work=work) == expected
