"""The work-grade arithmetic on hand-computed weeks (pure functions, no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.work.grades import Plan, Stage, StagePeriod, full_return_date, grade, week_grade

MON = date(2026, 11, 9)  # ISO week 2026-W46, Monday 9 - Sunday 15 November
AFTER = date(2026, 11, 16)
WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def _plan(*stages: Stage, agreed: str = "37.5", work_days: frozenset[int] = WEEKDAYS) -> Plan:
    return Plan(Decimal(agreed), work_days, stages)


def _days(*hours: str, start: date = MON) -> dict[date, Decimal]:
    return {start + timedelta(days=i): Decimal(h) for i, h in enumerate(hours) if h != "-"}


def test_full_week_at_fifty_percent_with_18_75_hours_is_50() -> None:
    plan = _plan(Stage(date(2026, 10, 1), 50))
    week = week_grade(
        plan, _days("3.75", "3.75", "3.75", "3.75", "3.75"), week_start=MON, today=AFTER
    )
    # 18.75 / (37.5 / 5 x 5) x 100 = 50.0
    assert week.week == "2026-W46"
    assert (week.working_days, week.reported_days, week.missing_days) == (5, 5, [])
    assert week.worked_hours == Decimal("18.75")
    assert week.planned_hours == Decimal("18.75")
    assert week.planned_work_grade == Decimal("50.0")
    assert week.actual_work_grade == Decimal("50.0")
    assert week.partial is False


def test_week_spanning_a_stage_change_on_wednesday() -> None:
    plan = _plan(Stage(date(2026, 10, 1), 60), Stage(date(2026, 11, 11), 40))
    week = week_grade(plan, _days("3", "3", "4.5", "4.5", "4"), week_start=MON, today=AFTER)
    # planned: 60 % -> 15 h/week = 3 h/day x 2; 40 % -> 22.5 h/week = 4.5 h/day x 3 -> 19.5 h
    assert week.planned_hours == Decimal("19.50")
    # planned grade: (40 x 2 + 60 x 3) / 5 = 52.0; actual: 19 / 37.5 x 100 = 50.666 -> 50.7
    assert week.planned_work_grade == Decimal("52.0")
    assert week.actual_work_grade == Decimal("50.7")
    assert week.stages == [
        StagePeriod(60, MON, date(2026, 11, 10), 2),
        StagePeriod(40, date(2026, 11, 11), date(2026, 11, 15), 3),
    ]


def test_four_day_week_at_the_plans_start() -> None:
    plan = _plan(Stage(date(2026, 11, 10), 50))  # starts on Tuesday
    week = week_grade(plan, _days("8", "3.75", "3.75", "3.75", "3.75"), week_start=MON, today=AFTER)
    # Monday lies before the plan and is not counted: 15 / (7.5 x 4) x 100 = 50.0
    assert week.working_days == 4
    assert week.worked_hours == Decimal("15.00")
    assert week.planned_hours == Decimal("15.00")
    assert week.actual_work_grade == Decimal("50.0")
    assert week.stages == [StagePeriod(50, date(2026, 11, 10), date(2026, 11, 15), 4)]


def test_agreed_thirty_hours() -> None:
    plan = _plan(Stage(date(2026, 10, 1), 60), agreed="30")
    week = week_grade(plan, _days("2.5", "2.5", "2.5", "2.5", "2.5"), week_start=MON, today=AFTER)
    # planned 30 x 40 % = 12 h; actual 12.5 / (30 / 5 x 5) x 100 = 41.666 -> 41.7
    assert week.planned_hours == Decimal("12.00")
    assert week.planned_work_grade == Decimal("40.0")
    assert week.actual_work_grade == Decimal("41.7")


def test_missing_days_are_reported_and_not_counted_as_zero() -> None:
    plan = _plan(Stage(date(2026, 10, 1), 50))
    week = week_grade(plan, _days("3.75", "-", "3.75", "-", "3"), week_start=MON, today=AFTER)
    # 10.5 / (7.5 x 3) x 100 = 46.666 -> 46.7
    assert week.missing_days == [date(2026, 11, 10), date(2026, 11, 12)]
    assert (week.working_days, week.reported_days) == (5, 3)
    assert week.actual_work_grade == Decimal("46.7")
    empty = week_grade(plan, {}, week_start=MON, today=AFTER)
    assert empty.actual_work_grade is None
    assert len(empty.missing_days) == 5
    assert empty.planned_work_grade == Decimal("50.0")


def test_hours_above_plan_are_capped_at_100() -> None:
    plan = _plan(Stage(date(2026, 10, 1), 50))
    week = week_grade(plan, _days("9", "9", "9", "9", "9", "4"), week_start=MON, today=AFTER)
    # Saturday's hours count too: 49 / 37.5 -> 130.7 % -> capped
    assert week.worked_hours == Decimal("49.00")
    assert week.actual_work_grade == Decimal("100.0")


def test_current_week_is_partial_up_to_today() -> None:
    plan = _plan(Stage(date(2026, 10, 1), 50))
    wednesday = date(2026, 11, 11)
    week = week_grade(plan, _days("3.75", "7.5"), week_start=MON, today=wednesday)
    # Mon-Wed count; Wednesday has no entry yet: 11.25 / (7.5 x 2) x 100 = 75.0
    assert week.partial is True
    assert (week.working_days, week.missing_days) == (3, [wednesday])
    assert week.planned_hours == Decimal("11.25")
    assert week.actual_work_grade == Decimal("75.0")


def test_week_before_the_plan_and_without_a_plan() -> None:
    plan = _plan(Stage(date(2026, 12, 1), 50))
    before = week_grade(plan, _days("8"), week_start=MON, today=AFTER)
    assert (before.working_days, before.actual_work_grade, before.planned_work_grade) == (
        0,
        None,
        None,
    )
    assert week_grade(None, _days("8"), week_start=MON, today=AFTER).stages == []


def test_explicit_weekly_hours_and_a_four_day_work_week() -> None:
    plan = _plan(
        Stage(date(2026, 10, 1), 50, planned_weekly_hours=Decimal("20")),
        work_days=frozenset({1, 2, 3, 4}),
    )
    assert plan.planned_hours_on(MON) == Decimal(5)
    assert plan.planned_hours_on(MON + timedelta(days=4)) == Decimal(0)
    assert plan.planned_hours_on(date(2026, 9, 30)) is None
    week = week_grade(plan, _days("5", "5", "5", "5"), week_start=MON, today=AFTER)
    # the formula always divides the agreed week by 5: 20 / (7.5 x 4) x 100 = 66.666 -> 66.7
    assert week.actual_work_grade == Decimal("66.7")
    assert week.planned_hours == Decimal("20.00")


def test_grade_rounds_half_up_to_one_decimal() -> None:
    # 7.03125 / 37.5 x 100 = 18.75 exactly -> 18.8
    assert grade(Decimal("7.03125"), Decimal("37.5"), 5) == Decimal("18.8")
    assert grade(Decimal("1"), Decimal("37.5"), 0) is None


def test_full_return_date_is_the_zero_stage_that_stays() -> None:
    d1, d2, d3, d4 = (date(2026, 1, day) for day in (5, 12, 19, 26))
    assert full_return_date([Stage(d1, 100), Stage(d2, 50), Stage(d3, 0)]) == d3
    assert full_return_date([Stage(d1, 100), Stage(d2, 0), Stage(d3, 0)]) == d2
    assert full_return_date([Stage(d1, 0), Stage(d2, 50), Stage(d3, 0), Stage(d4, 0)]) == d3
    assert full_return_date([Stage(d1, 0), Stage(d2, 50)]) is None
    assert full_return_date([Stage(d1, 100)]) is None
