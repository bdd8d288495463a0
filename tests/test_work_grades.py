"""The work-grade arithmetic on hand-computed weeks (pure functions, no database).

Source of the rule: the welfare office's (NAV's) published computation of the actual work
grade, the one its sick-pay application service does, as quoted in issue 10:

    grade = round(hours_worked_in_period / (agreed_weekly_hours / 5 x working_days) x 100)

working_days = Monday-Friday dates of the period (up to the day work was fully resumed) minus
vacation and leave weekdays; public holidays are not subtracted; weekend hours count; a whole
percent, halves away from zero, not capped.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from app.work.grades import (
    Day,
    Plan,
    Stage,
    StagePart,
    full_return_date,
    grade,
    iso_week_label,
    period_grade,
    round_percent,
    stage_grades,
    week_grade,
    week_start_of,
)

MON = date(2026, 11, 9)  # ISO week 2026-W46, Monday 9 - Sunday 15 November
WED, THU, SAT, SUN = (MON + timedelta(days=n) for n in (2, 3, 5, 6))
AFTER = date(2026, 11, 16)
WEEKDAYS = frozenset({1, 2, 3, 4, 5})
BEFORE = date(2026, 10, 1)


def _plan(*stages: Stage, agreed: str = "37.5", work_days: frozenset[int] = WEEKDAYS) -> Plan:
    return Plan(Decimal(agreed), work_days, stages)


def _days(*hours: str, start: date = MON) -> dict[date, Day]:
    """Hours from Monday on; "-" is no entry, "v"/"l" is a vacation/leave day."""
    result = {}
    for offset, value in enumerate(hours):
        day = start + timedelta(days=offset)
        if value in ("v", "l"):
            result[day] = Day(0, "vacation" if value == "v" else "leave")
        elif value != "-":
            result[day] = Day(int(Decimal(value) * 60))
    return result


def test_issue_case_mixed_stages_and_saturday_hours_is_69() -> None:
    # 37.5 h agreed; Mon-Wed at 50 %, Thu-Sun at 20 %; 25.75 h including 2 h on Saturday.
    plan = _plan(Stage(BEFORE, 50), Stage(THU, 20))
    week = week_grade(
        plan, _days("3.75", "3.75", "3.75", "6", "6.5", "2"), week_start=MON, today=AFTER
    )
    # 25.75 / (37.5 / 5 x 5) x 100 = 68.67 -> 69; planned (50 x 3 + 80 x 2) / 5 = 62
    assert (week.worked_minutes, week.working_days) == (25 * 60 + 45, 5)
    assert (week.actual_grade, week.planned_grade, week.above_plan) == (69, 62, True)
    assert week.stages == [
        StagePart(50, MON, date(2026, 11, 11), 3),
        StagePart(20, THU, SUN, 2),
    ]
    assert week.sick_leave_percent is None  # two stages in the week
    assert week.planned_hours == Decimal("3.75") * 3 + Decimal(6) * 2
    assert (week.complete, week.partial) == (True, False)


def test_issue_case_four_day_contract_at_fifty_percent_is_50_as_planned() -> None:
    # 30 h agreed over Monday-Thursday at 50 %; 15 h worked. The divisor is 30 / 5 x 5
    # working days whatever the person's own pattern: 15 / 30 = 50 (not 15 / 24 = 62.5).
    plan = _plan(Stage(BEFORE, 50), agreed="30", work_days=frozenset({1, 2, 3, 4}))
    week = week_grade(plan, _days("3.75", "3.75", "3.75", "3.75"), week_start=MON, today=AFTER)
    assert (week.actual_grade, week.planned_grade, week.above_plan) == (50, 50, False)
    assert week.working_days == 5
    # Friday is off the contract: nothing is missing, so the week is complete.
    assert (week.weekdays_in_period, week.weekdays_recorded, week.missing_days) == (5, 5, [])
    assert week.planned_hours == Decimal(15)


def test_issue_case_two_of_five_weekdays_recorded_is_20_and_incomplete() -> None:
    plan = _plan(Stage(BEFORE, 50))
    week = week_grade(plan, _days("3.75", "-", "3.75"), week_start=MON, today=AFTER)
    # The three weekdays without an entry are working days with 0 h: 7.5 / 37.5 = 20.
    assert week.actual_grade == 20
    assert (week.weekdays_in_period, week.weekdays_recorded, week.complete) == (5, 2, False)
    assert week.missing_days == [date(2026, 11, 10), THU, date(2026, 11, 13)]


def test_issue_case_two_vacation_days_and_11_25_hours_at_fifty_percent_is_50() -> None:
    plan = _plan(Stage(BEFORE, 50))
    week = week_grade(plan, _days("v", "l", "3.75", "3.75", "3.75"), week_start=MON, today=AFTER)
    # 11.25 / (7.5 x 3) x 100 = 50
    assert (week.days_off, week.working_days, week.weekdays_recorded) == (2, 3, 5)
    assert (week.actual_grade, week.planned_grade, week.complete) == (50, 50, True)
    assert week.planned_hours == Decimal("11.25")


def test_issue_case_42_hours_on_37_5_is_112_not_capped_and_above_plan() -> None:
    plan = _plan(Stage(BEFORE, 50))
    week = week_grade(plan, _days("9", "9", "9", "9", "6"), week_start=MON, today=AFTER)
    assert (week.actual_grade, week.above_plan) == (112, True)


def test_issue_case_a_week_without_working_days_is_null() -> None:
    plan = _plan(Stage(BEFORE, 50))
    all_off = week_grade(plan, _days("v", "v", "v", "v", "v", "4"), week_start=MON, today=AFTER)
    assert (all_off.working_days, all_off.actual_grade, all_off.planned_grade) == (0, None, None)
    assert all_off.worked_minutes == 240  # Saturday's hours are still shown
    assert all_off.above_plan is False
    before_plan = week_grade(_plan(Stage(AFTER, 50)), _days("8"), week_start=MON, today=AFTER)
    assert (before_plan.working_days, before_plan.actual_grade) == (0, None)
    assert before_plan.stages == []
    assert week_grade(None, _days("8"), week_start=MON, today=AFTER).actual_grade is None


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (9, 1),  # 0.15 h / 30 h = 0.5 %: half away from zero -> 1 (half-even would give 0)
        (45, 3),  # 2.5 % -> 3 (half-even: 2)
        (225, 13),  # 12.5 % -> 13 (half-even: 12)
        (224, 12),  # 12.44 % -> 12
        (226, 13),  # 12.56 % -> 13
        (1800, 100),
        (2016, 112),  # not capped
    ],
)
def test_grade_rounds_halves_away_from_zero_to_a_whole_percent(minutes: int, expected: int) -> None:
    # 4 working days x 37.5 / 5 = 30 h expected
    assert grade(minutes, Decimal("37.5"), 4) == expected


def test_round_percent_and_no_working_days() -> None:
    assert [round_percent(Fraction(n, 2)) for n in (-5, -3, -1, 1, 3, 5)] == [-3, -2, -1, 1, 2, 3]
    assert round_percent(Fraction(249, 10)) == 25
    assert round_percent(Fraction(2449, 100)) == 24
    assert grade(60, Decimal("37.5"), 0) is None
    assert grade(60, Decimal("37.5"), -1) is None


def test_planned_grade_is_the_weighted_mean_rounded_the_same_way() -> None:
    # Monday at 50 %, from Tuesday 25 %; Wednesday-Friday vacation: (50 + 75) / 2 = 62.5 -> 63.
    plan = _plan(Stage(BEFORE, 50), Stage(date(2026, 11, 10), 25))
    week = week_grade(plan, _days("3.75", "5.5", "v", "v", "v"), week_start=MON, today=AFTER)
    assert week.working_days == 2
    assert week.planned_grade == 63
    # 9.25 / (7.5 x 2) = 61.67 -> 62: below plan
    assert (week.actual_grade, week.above_plan) == (62, False)


def test_above_plan_is_strictly_above() -> None:
    plan = _plan(Stage(BEFORE, 50))
    exact = week_grade(
        plan, _days("3.75", "3.75", "3.75", "3.75", "3.75"), week_start=MON, today=AFTER
    )
    assert (exact.actual_grade, exact.planned_grade, exact.above_plan) == (50, 50, False)
    # 19 h: 50.67 -> 51 > 50
    more = week_grade(plan, _days("4", "3.75", "3.75", "3.75", "3.75"), week_start=MON, today=AFTER)
    assert (more.actual_grade, more.above_plan) == (51, True)


def test_days_from_the_full_return_are_not_sick_leave() -> None:
    # 50 % until Tuesday, back at full work (0 %) from Wednesday: only Mon-Tue count.
    plan = _plan(Stage(BEFORE, 50), Stage(WED, 0))
    week = week_grade(
        plan, _days("3.75", "3.75", "7.5", "7.5", "7.5", "3"), week_start=MON, today=AFTER
    )
    assert (week.weekdays_in_period, week.worked_minutes) == (2, 450)
    assert (week.actual_grade, week.planned_grade, week.sick_leave_percent) == (50, 50, 50)
    assert week.stages == [StagePart(50, MON, date(2026, 11, 10), 2)]


def test_days_before_the_plan_do_not_count() -> None:
    plan = _plan(Stage(date(2026, 11, 10), 50))  # starts on Tuesday
    week = week_grade(plan, _days("8", "3.75", "3.75", "3.75", "3.75"), week_start=MON, today=AFTER)
    # Monday lies before the plan: 15 / (7.5 x 4) = 50
    assert (week.working_days, week.worked_minutes, week.actual_grade) == (4, 900, 50)


def test_the_current_week_counts_today_only_once_it_has_an_entry() -> None:
    plan = _plan(Stage(BEFORE, 50))
    # Wednesday, nothing written today yet: Mon-Tue are the period so far, 7.5 / 15 = 50.
    week = week_grade(plan, _days("3.75", "3.75"), week_start=MON, today=WED)
    assert (week.partial, week.weekdays_in_period, week.actual_grade) == (True, 2, 50)
    assert week.missing_days == []
    # Once today's entry is in, today counts: 11.25 / 22.5 = 50.
    later = week_grade(plan, _days("3.75", "3.75", "3.75"), week_start=MON, today=WED)
    assert (later.weekdays_in_period, later.actual_grade) == (3, 50)
    # A Sunday that is today is still part of an unfinished week.
    assert week_grade(plan, {}, week_start=MON, today=SUN).partial is True
    assert week_grade(plan, {}, week_start=MON, today=AFTER).partial is False


def test_each_stage_above_zero_is_a_sick_leave_period() -> None:
    plan = _plan(
        Stage(date(2026, 10, 26), 100),
        Stage(MON, 60),
        Stage(date(2026, 11, 23), 0),
    )
    days = _days("3", "3", "3", "3", "3", "-", "-", "3", "3", "3")
    # Today: Wednesday 18 November, with today's entry written.
    periods = stage_grades(plan, days, today=date(2026, 11, 18))
    assert [(p.starts_on, p.ends_on, p.sick_leave_percent) for p in periods] == [
        (date(2026, 10, 26), date(2026, 11, 8), 100),
        (MON, date(2026, 11, 22), 60),
    ]
    first, second = (p.figures for p in periods)
    # 100 %: ten weekdays, nothing recorded: 0 h -> 0, planned 0, incomplete
    assert (first.weekdays_in_period, first.actual_grade, first.planned_grade) == (10, 0, 0)
    assert (first.complete, first.partial) == (False, False)
    # 60 %: Mon 9 - Wed 18 so far: 8 weekdays, 24 h: 24 / (7.5 x 8) = 40 = planned
    assert (second.weekdays_in_period, second.worked_minutes) == (8, 24 * 60)
    assert (second.actual_grade, second.planned_grade, second.partial) == (40, 40, True)
    # An open-ended last stage is partial; a stage that has not begun is not listed.
    open_ended = stage_grades(_plan(Stage(MON, 50), Stage(AFTER, 40)), {}, today=AFTER)
    assert [(p.sick_leave_percent, p.ends_on, p.figures.partial) for p in open_ended] == [
        (50, date(2026, 11, 15), False),
        (40, None, True),
    ]
    assert stage_grades(_plan(Stage(AFTER, 50)), {}, today=SUN) == []
    assert stage_grades(None, {}, today=SUN) == []


def test_adjacent_stages_with_the_same_percent_stay_apart() -> None:
    plan = _plan(Stage(BEFORE, 50), Stage(WED, 50))
    week = period_grade(plan, _days("1", "1", "1"), first=MON, last=SUN, today=THU)
    assert week.stages == [StagePart(50, MON, date(2026, 11, 10), 2), StagePart(50, WED, WED, 1)]
    assert week.sick_leave_percent == 50


def test_planned_hours_per_day() -> None:
    plan = _plan(
        Stage(BEFORE, 50, planned_weekly_hours=Decimal("20")), work_days=frozenset({1, 2, 3, 4})
    )
    assert plan.planned_hours_on(MON) == Decimal(5)
    assert plan.planned_hours_on(MON + timedelta(days=4)) == Decimal(0)
    assert plan.planned_hours_on(date(2026, 9, 30)) is None
    assert plan.is_work_day(MON)
    assert not plan.is_work_day(SAT)


def test_the_stage_in_force_and_its_hours_from_the_agreed_hours() -> None:
    """`Plan.stage_on` and `planned_hours_on` by themselves (period_grade no longer asks them):
    a stage is in force from its first day, until the next one starts."""
    plan = _plan(Stage(MON, 50), Stage(THU, 20))
    assert plan.stage_on(MON - timedelta(days=1)) is None
    assert plan.stage_on(MON) == Stage(MON, 50)
    assert plan.stage_on(WED) == Stage(MON, 50)
    assert plan.stage_on(THU) == Stage(THU, 20)
    assert plan.planned_hours_on(WED) == Decimal("3.75")  # 37.5 x 50 % over five work days
    assert plan.planned_hours_on(THU) == Decimal("6")  # 37.5 x 80 % over five


def test_full_return_date_is_the_zero_stage_that_stays() -> None:
    d1, d2, d3, d4 = (date(2026, 1, day) for day in (5, 12, 19, 26))
    assert full_return_date([Stage(d1, 100), Stage(d2, 50), Stage(d3, 0)]) == d3
    assert full_return_date([Stage(d1, 100), Stage(d2, 0), Stage(d3, 0)]) == d2
    assert full_return_date([Stage(d1, 0), Stage(d2, 50), Stage(d3, 0), Stage(d4, 0)]) == d3
    assert full_return_date([Stage(d1, 0), Stage(d2, 50)]) is None
    assert full_return_date([Stage(d1, 100)]) is None


# Issue 21: mutation survivors of this module, each pinned by hand.


def test_one_working_day_is_enough_for_a_grade_and_no_stages_no_return() -> None:
    # 7.5 h on the one working day of a 37.5 h week: 450 / (2250 / 5 x 1) = 100
    assert grade(450, Decimal("37.5"), 1) == 100
    assert grade(0, Decimal("37.5"), 0) is None
    assert full_return_date([]) is None


def test_iso_week_of_new_years_day_2027_is_2026_w53() -> None:
    monday = date(2026, 12, 28)
    assert [week_start_of(monday + timedelta(days=n)) for n in (0, 4, 6)] == [monday] * 3
    assert week_start_of(date(2027, 1, 4)) == date(2027, 1, 4)
    assert [iso_week_label(d) for d in (date(2026, 12, 21), monday, date(2027, 1, 4))] == [
        "2026-W52",
        "2026-W53",
        "2027-W01",
    ]


def test_a_period_without_a_plan_still_states_its_dates() -> None:
    empty = period_grade(None, {}, first=MON, last=SUN, today=THU)
    assert (empty.first, empty.last, empty.partial) == (MON, SUN, True)
    assert (empty.working_days, empty.actual_grade) == (0, None)
    closed = period_grade(_plan(Stage(BEFORE, 50)), {}, first=MON, last=SUN, today=AFTER)
    assert (closed.first, closed.last, closed.partial) == (MON, SUN, False)


def test_a_relapse_after_a_zero_stage_is_listed_and_the_zero_stage_is_not() -> None:
    # 50 % from 26 October, back at work (0 %) from Monday 9, on sick leave again (50 %) from
    # Monday 16 November: the two 50 % stages are sick-leave periods, the 0 % one is not.
    plan = _plan(Stage(date(2026, 10, 26), 50), Stage(MON, 0), Stage(AFTER, 50))
    periods = stage_grades(plan, {}, today=date(2026, 11, 18))
    assert [(p.starts_on, p.ends_on, p.sick_leave_percent) for p in periods] == [
        (date(2026, 10, 26), date(2026, 11, 8), 50),
        (AFTER, None, 50),
    ]
    back = stage_grades(_plan(Stage(BEFORE, 50), Stage(MON, 0)), {}, today=THU)
    assert [p.sick_leave_percent for p in back] == [50]
