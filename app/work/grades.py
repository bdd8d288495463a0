"""The work-grade arithmetic, as pure functions (no database, no clock); the plan it reads
(stages, work days, diary days, ISO weeks) is in `app.work.stages` and re-exported here.

The *actual work grade* is the welfare office's (NAV's) published rule for a period, the same
computation its sick-pay application service does:

    actual_grade = round(hours_worked / (agreed_weekly_hours / 5 x working_days) x 100)

Precisely, for a period of local dates `first..last` and the patient's `today`:

1. A day is *counted* when it lies in the period, on a sick-leave day (the plan stage in force
   that day has a sick-leave percent above 0: before the first stage there is no sick leave,
   and from the day work was fully resumed, a 0 % stage, the sick leave is over), and it is
   before today, or it is today and already has a diary entry (today is never counted as a
   day with nothing recorded while it is still going on).
2. `weekdays_in_period` = counted Monday-Friday dates. Public holidays are not subtracted.
3. `days_off` = counted Monday-Friday dates whose diary entry says `vacation` or `leave`.
4. `working_days` = weekdays_in_period - days_off. The person's own work pattern (the plan's
   work days) does not change it: 30 agreed hours over four days and 15 h worked is 50 %.
5. `hours_worked` = the hours of every counted day, Saturdays and Sundays included.
   A counted weekday without an entry adds 0 h and stays a working day. `weekdays_recorded`
   counts the weekdays that are accounted for: with an entry, or off the plan's work days (the
   four-day contract's Friday is 0 h by agreement). Any other weekday without an entry is in
   `missing_days` and makes `complete` false, so the grade is never silently computed over
   the recorded days only.
6. `actual_grade` = the formula above, rounded to a whole percent half away from zero, not
   capped (112 stays 112); None when working_days is 0.
7. `planned_grade` = the mean of (100 - sick-leave percent in force) over the working days,
   rounded the same way (the same divisor as the actual grade); None without working days.
8. `above_plan` = actual_grade > planned_grade (both known).

Planned *hours* (shown beside the grade, not part of it) are the stage's weekly hours spread
evenly over the plan's work days, on counted days that are not days off. The current plan is
applied to every period: its stages carry their own dates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from app.work.stages import (
    DAY_TYPES,
    DAYS_OFF,
    HUNDRED,
    Day,
    DayType,
    Plan,
    Stage,
    full_return_date,
    iso_week_label,
    week_start_of,
)

__all__ = [  # the plan's names are re-exported: callers import them from here
    "DAYS_OFF",
    "DAY_TYPES",
    "HUNDRED",
    "Day",
    "DayType",
    "PeriodGrade",
    "Plan",
    "Stage",
    "StageGrade",
    "StagePart",
    "full_return_date",
    "grade",
    "iso_week_label",
    "period_grade",
    "round_percent",
    "stage_grades",
    "week_grade",
    "week_start_of",
]

_ONE_DAY = timedelta(days=1)


def round_percent(value: Fraction) -> int:
    """A whole percent, halves rounded away from zero (12.5 -> 13, 2.5 -> 3, -2.5 -> -3)."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


def grade(worked_minutes: int, agreed_weekly_hours: Decimal, working_days: int) -> int | None:
    """round(hours / (agreed / 5 x working_days) x 100), not capped; None without working days."""
    if working_days <= 0:
        return None
    # worked / (agreed x 60 / 5 x working_days) x 100, over whole numbers (agreed = n / d).
    n, d = agreed_weekly_hours.as_integer_ratio()
    return _round_ratio(worked_minutes * 100 * d, n * 12 * working_days)


def _round_ratio(numerator: int, denominator: int) -> int:
    """`round_percent(Fraction(numerator, denominator))` without building the Fraction."""
    if denominator == 0:
        raise ZeroDivisionError(f"Fraction({numerator}, 0)")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return magnitude if numerator >= 0 else -magnitude


@dataclass(frozen=True, slots=True)
class StagePart:
    """The part of a period one stage covers, and how many working days it holds there."""

    sick_leave_percent: int
    starts_on: date
    ends_on: date
    working_days: int


@dataclass(frozen=True, slots=True)
class PeriodGrade:
    """The figures of one period (an ISO week or a plan stage), rules in the module docstring."""

    first: date
    last: date
    partial: bool
    weekdays_in_period: int = 0
    weekdays_recorded: int = 0
    days_off: int = 0
    worked_minutes: int = 0
    planned_hours: Decimal = Decimal(0)
    missing_days: list[date] = field(default_factory=list)
    stages: list[StagePart] = field(default_factory=list)
    planned_grade: int | None = None
    actual_grade: int | None = None

    @property
    def working_days(self) -> int:
        return self.weekdays_in_period - self.days_off

    @property
    def complete(self) -> bool:
        return self.weekdays_recorded == self.weekdays_in_period

    @property
    def above_plan(self) -> bool:
        if self.actual_grade is None or self.planned_grade is None:
            return False
        return self.actual_grade > self.planned_grade

    @property
    def sick_leave_percent(self) -> int | None:
        """The one percent in force on the counted days; None when none or several."""
        percents = {part.sick_leave_percent for part in self.stages}
        return percents.pop() if len(percents) == 1 else None


def _period_days(
    plan: Plan, days: Mapping[date, Day], *, first: date, last: date, today: date
) -> PeriodGrade:
    """`period_grade` for a plan with stages: one pass over the days, the stage in force
    followed by an index (the days ascend) instead of a search per day, each stage's daily
    planned hours computed once, and the stage parts kept as plain lists until the end."""
    stages = plan.stages
    work_days = plan.work_days
    zero = Decimal(0)
    weekdays = recorded = off = worked = weighted = 0
    planned = zero
    missing: list[date] = []
    parts: list[list[object]] = []  # [percent, starts_on, ends_on, working_days]
    part_stage: Stage | None = None  # the stage of parts[-1], while it runs on to `day`
    index = -1  # the stage in force on `day` (-1 before the plan starts)
    while index + 1 < len(stages) and stages[index + 1].starts_on <= first:
        index += 1
    daily = _daily_hours(plan, stages[index]) if index >= 0 else zero
    day = first
    while day <= last:
        entry = days.get(day)
        if not (day < today or (day == today and entry is not None)):
            break
        if index + 1 < len(stages) and stages[index + 1].starts_on <= day:
            while index + 1 < len(stages) and stages[index + 1].starts_on <= day:
                index += 1
            daily = _daily_hours(plan, stages[index])
        stage = stages[index] if index >= 0 else None
        if stage is None or stage.sick_leave_percent == 0:
            part_stage = None
            day += _ONE_DAY
            continue
        weekday = day.isoweekday()
        is_weekday = weekday <= 5
        is_off = entry is not None and entry.day_type in DAYS_OFF
        working = is_weekday and not is_off
        if is_weekday:
            weekdays += 1
            # A weekday off the plan's work days needs no entry: the contract says 0 h there.
            if entry is not None or weekday not in work_days:
                recorded += 1
            else:
                missing.append(day)
            if is_off:
                off += 1
        if entry is not None:
            worked += entry.worked_minutes
        if not is_off:
            planned += daily if weekday in work_days else zero
        if working:
            weighted += 100 - stage.sick_leave_percent
        if stage is part_stage:
            part = parts[-1]
            part[2] = day
            if working:
                part[3] += 1  # type: ignore[operator]
        else:
            parts.append([stage.sick_leave_percent, day, day, int(working)])
            part_stage = stage
        day += _ONE_DAY
    working_days = weekdays - off
    return PeriodGrade(
        first=first,
        last=last,
        partial=today <= last,
        weekdays_in_period=weekdays,
        weekdays_recorded=recorded,
        days_off=off,
        worked_minutes=worked,
        planned_hours=planned,
        missing_days=missing,
        stages=[StagePart(*part) for part in parts],  # type: ignore[arg-type]
        planned_grade=_round_ratio(weighted, working_days) if working_days else None,
        actual_grade=grade(worked, plan.agreed_weekly_hours, working_days),
    )


def _daily_hours(plan: Plan, stage: Stage) -> Decimal:
    """What `plan.planned_hours_on` gives on a work day of `stage` (0 when that is 0)."""
    if not plan.work_days:  # no work day to plan hours on (and nothing to divide by)
        return Decimal(0)
    return stage.weekly_hours(plan.agreed_weekly_hours) / len(plan.work_days) or Decimal(0)


def period_grade(
    plan: Plan | None, days: Mapping[date, Day], *, first: date, last: date, today: date
) -> PeriodGrade:
    """The figures of the period `first..last` (inclusive) as of `today`."""
    if plan is None or not plan.stages:
        return PeriodGrade(first, last, today <= last)
    return _period_days(plan, days, first=first, last=last, today=today)


def week_grade(
    plan: Plan | None, days: Mapping[date, Day], *, week_start: date, today: date
) -> PeriodGrade:
    """One ISO week (Monday `week_start` to Sunday) as of `today`."""
    return period_grade(
        plan, days, first=week_start, last=week_start + timedelta(days=6), today=today
    )


@dataclass(frozen=True, slots=True)
class StageGrade:
    """One sick-leave period of the plan (a stage above 0 %) and its figures so far."""

    starts_on: date
    ends_on: date | None
    sick_leave_percent: int
    figures: PeriodGrade


def stage_grades(plan: Plan | None, days: Mapping[date, Day], *, today: date) -> list[StageGrade]:
    """Every sick-leave stage that has begun by `today`, oldest first (0 % stages are not
    sick leave and are left out)."""
    if plan is None:
        return []
    result = []
    for index, stage in enumerate(plan.stages):
        if stage.sick_leave_percent == 0 or stage.starts_on > today:
            continue
        ends_on = plan.ends_on(index)
        figures = period_grade(
            plan, days, first=stage.starts_on, last=ends_on or today, today=today
        )
        if ends_on is None:  # open-ended: it goes on after today
            figures = replace(figures, partial=True)
        result.append(StageGrade(stage.starts_on, ends_on, stage.sick_leave_percent, figures))
    return result
