"""The adherence arithmetic on hand-computed calendars (pure; no database needed).

March 2026: Mon 2 … Sun 8 is ISO week 10, Mon 9 … Sun 15 is week 11.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from app.exercises.adherence import DayCount, Dose, Plan, compute, today_progress

A = uuid.uuid4()


def plan(*doses: Dose, starts_on: date = date(2026, 3, 2), ends_on: date | None = None) -> Plan:
    return Plan(A, uuid.uuid4(), "attention_training", starts_on, ends_on, doses)


def daily(n: int, since: date = date(2026, 3, 2), paused: bool = False) -> Dose:
    return Dose(since, n, None, paused)


def weekly(n: int, since: date = date(2026, 3, 2), paused: bool = False) -> Dose:
    return Dose(since, None, n, paused)


def logs(*entries: tuple[int, int], assignment: uuid.UUID | None = A) -> list[DayCount]:
    """(day of March 2026, count)."""
    return [
        DayCount(
            assignment,
            "attention_training",
            date(2026, 3, day),
            count,
            datetime(2026, 3, day, 8, tzinfo=UTC),
        )
        for day, count in entries
    ]


def run(p: Plan, days: list[DayCount], start: int, end: int, today: int = 31) -> tuple[int, int]:
    result = compute(
        p,
        days,
        window_start=date(2026, 3, start),
        window_end=date(2026, 3, end),
        today=date(2026, 3, today),
    )
    assert result.prescribed == sum(w.prescribed for w in result.weeks)
    assert result.completed == sum(w.completed for w in result.weeks)
    return result.prescribed, result.completed


def test_daily_dose_caps_each_day_at_the_dose() -> None:
    # Twice a day for a week; Tuesday's third session does not make up for Thursday.
    days = logs((2, 2), (3, 3), (4, 1), (6, 2), (8, 1))
    assert run(plan(daily(2)), days, 2, 8) == (14, 2 + 2 + 1 + 0 + 2 + 0 + 1)


def test_weekly_dose_is_pro_rata_in_a_partial_first_week() -> None:
    # 3 a week from Thursday 5th: week 10 has 4 active days -> 12/7 rounds to 2; week 11 is 3.
    p = plan(weekly(3, since=date(2026, 3, 5)), starts_on=date(2026, 3, 5))
    days = logs((5, 1), (7, 2), (10, 1))
    result = compute(
        p,
        days,
        window_start=date(2026, 3, 2),
        window_end=date(2026, 3, 15),
        today=date(2026, 3, 20),
    )
    assert [(w.week, w.prescribed, w.completed) for w in result.weeks] == [(10, 2, 2), (11, 3, 1)]
    assert result.last_done_at == datetime(2026, 3, 10, 8, tzinfo=UTC)


def test_the_current_week_expects_only_what_the_elapsed_days_carry() -> None:
    p = plan(weekly(3))
    # Today Monday 9th: 3/7 rounds to 0; Tuesday 10th: 6/7 rounds to 1; Thursday: 12/7 -> 2.
    assert run(p, [], 9, 15, today=9) == (0, 0)
    assert run(p, logs((9, 1)), 9, 15, today=10) == (1, 1)
    assert run(p, logs((9, 3)), 9, 15, today=12) == (2, 2)


def test_a_dose_change_mid_window_uses_the_dose_in_force_each_day() -> None:
    # Once a day Mon-Wed, twice a day from Thursday 5th.
    p = plan(daily(1), daily(2, since=date(2026, 3, 5)))
    days = logs((2, 2), (3, 1), (5, 2), (6, 1), (8, 3))
    assert run(p, days, 2, 8) == (3 * 1 + 4 * 2, 1 + 1 + 0 + 2 + 1 + 0 + 2)


def test_a_dose_change_from_weekly_to_daily_mid_week_adds_both_parts() -> None:
    # 7 a week Mon-Wed (3 days -> 3 occurrences), then twice a day Thu-Sun (8).
    p = plan(weekly(7), daily(2, since=date(2026, 3, 5)))
    days = logs((2, 4), (5, 2), (7, 1))
    assert run(p, days, 2, 8) == (3 + 8, 3 + 2 + 1)


def test_a_pause_prescribes_nothing_and_logs_in_it_do_not_count() -> None:
    # Paused Wed 4th to Fri 6th, resumed Saturday 7th.
    p = plan(
        daily(1), daily(1, since=date(2026, 3, 4), paused=True), daily(1, since=date(2026, 3, 7))
    )
    days = logs((2, 1), (4, 1), (5, 1), (7, 1))
    assert run(p, days, 2, 8) == (4, 2)


def test_an_end_date_stops_the_prescription_inclusively() -> None:
    p = plan(daily(1), ends_on=date(2026, 3, 5))
    assert run(p, logs((5, 1), (6, 1)), 2, 15) == (4, 1)


def test_a_window_starting_before_the_assignment_counts_from_the_start() -> None:
    p = plan(daily(1, since=date(2026, 3, 4)), starts_on=date(2026, 3, 4))
    result = compute(
        p,
        logs((3, 1), (4, 1)),
        window_start=date(2026, 2, 23),
        window_end=date(2026, 3, 8),
        today=date(2026, 3, 31),
    )
    assert (result.prescribed, result.completed) == (5, 1)
    assert [w.week for w in result.weeks] == [10]


def test_days_after_today_are_not_prescribed() -> None:
    assert run(plan(daily(2)), logs((3, 2)), 2, 8, today=3) == (4, 2)


def test_unlinked_logs_of_the_kind_count_and_other_assignments_logs_do_not() -> None:
    days = logs((2, 1), assignment=None) + logs((3, 1), assignment=uuid.uuid4())
    assert run(plan(daily(1)), days, 2, 3) == (2, 1)


def test_today_progress_by_day_and_by_week() -> None:
    assert today_progress(plan(daily(2)), logs((4, 1)), today=date(2026, 3, 4)) == ("day", 2, 1)
    weekly_plan = plan(weekly(3))
    days = logs((2, 1), (4, 1), (9, 1))
    assert today_progress(weekly_plan, days, today=date(2026, 3, 4)) == ("week", 3, 2)
    paused = plan(daily(1), daily(1, since=date(2026, 3, 4), paused=True))
    assert today_progress(paused, [], today=date(2026, 3, 4)) is None
