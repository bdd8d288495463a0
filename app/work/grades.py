"""The plan and work-grade arithmetic, as pure functions (no database, no clock).

The welfare office's *actual work grade* for a period is

    worked_hours / (agreed_weekly_hours / 5 x working_days_in_period) x 100, capped at 100,

rounded half-up to one decimal. Here the period is one ISO week (Monday-Sunday) and its working
days are the plan's work days that

- fall on or after the first stage's start (before it there is no plan, so no period),
- fall on or before "today" (the current week is *partial*: only its elapsed days count), and
- have a diary entry: a working day without an entry is reported in `missing_days` and left out
  of the denominator, so a forgotten entry never reads as zero hours worked.

Hours worked on other days of the same week (a Saturday, say) still count in the numerator.
The *planned* work grade is 100 - the sick-leave percent in force, averaged over the week's
working days when a stage changes mid-week. Planned hours per working day are the stage's
planned weekly hours (explicit, or agreed x (100 - percent) / 100) spread evenly over the work
days; other days plan 0 h. The current plan is applied to every week: its stages carry their
own dates, so a past week is judged by the stage whose dates cover it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
_ONE_DECIMAL = Decimal("0.1")
_TWO_DECIMALS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the plan: from `starts_on` until the next stage starts."""

    starts_on: date
    sick_leave_percent: int
    planned_weekly_hours: Decimal | None = None
    adjustments: str | None = None

    def weekly_hours(self, agreed_weekly_hours: Decimal) -> Decimal:
        """The planned weekly hours: explicit, or agreed x (100 - percent) / 100."""
        if self.planned_weekly_hours is not None:
            return self.planned_weekly_hours
        return agreed_weekly_hours * (HUNDRED - self.sick_leave_percent) / HUNDRED


@dataclass(frozen=True, slots=True)
class Plan:
    """A validated plan: stages in strictly increasing date order; work days as ISO weekdays."""

    agreed_weekly_hours: Decimal
    work_days: frozenset[int]
    stages: tuple[Stage, ...]

    @property
    def starts_on(self) -> date | None:
        """The first stage's start, or None for a plan without stages."""
        return self.stages[0].starts_on if self.stages else None

    def stage_on(self, day: date) -> Stage | None:
        """The stage in force on `day` (None before the plan starts)."""
        found = None
        for stage in self.stages:
            if stage.starts_on > day:
                break
            found = stage
        return found

    def is_work_day(self, day: date) -> bool:
        """A plan work day on or after the plan's start."""
        return self.stage_on(day) is not None and day.isoweekday() in self.work_days

    def planned_hours_on(self, day: date) -> Decimal | None:
        """The day's share of the stage's weekly hours; 0 off work days; None before the plan."""
        stage = self.stage_on(day)
        if stage is None:
            return None
        if day.isoweekday() not in self.work_days:
            return Decimal(0)
        return stage.weekly_hours(self.agreed_weekly_hours) / len(self.work_days)


def full_return_date(stages: Sequence[Stage]) -> date | None:
    """Start of the first 0 % stage after which no stage goes back above 0 %, else None."""
    result: date | None = None
    for stage in stages:
        result = (result or stage.starts_on) if stage.sick_leave_percent == 0 else None
    return result


def week_start_of(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.isoweekday() - 1)


def iso_week_label(monday: date) -> str:
    """`2026-W47`."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def grade(worked: Decimal, agreed_weekly_hours: Decimal, working_days: int) -> Decimal | None:
    """The actual work grade in percent, capped at 100, one decimal (None without working days)."""
    if working_days <= 0:
        return None
    expected = agreed_weekly_hours / 5 * working_days
    return min(HUNDRED, worked / expected * HUNDRED).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class StagePeriod:
    """The part of a week one stage covers, and how many plan working days it holds there."""

    sick_leave_percent: int
    starts_on: date
    ends_on: date
    working_days: int


@dataclass(frozen=True, slots=True)
class WeekGrade:
    """One ISO week compared with the plan."""

    week: str
    week_start: date
    week_end: date
    partial: bool
    working_days: int
    reported_days: int
    missing_days: list[date] = field(default_factory=list)
    planned_hours: Decimal = Decimal(0)
    worked_hours: Decimal = Decimal(0)
    stages: list[StagePeriod] = field(default_factory=list)
    planned_work_grade: Decimal | None = None
    actual_work_grade: Decimal | None = None


def week_grade(
    plan: Plan | None, worked_by_day: Mapping[date, Decimal], *, week_start: date, today: date
) -> WeekGrade:
    """Compare one ISO week (starting Monday `week_start`) of diary hours with the plan."""
    days = [week_start + timedelta(days=offset) for offset in range(7)]
    counted = [day for day in days if day <= today]
    label, week_end = iso_week_label(week_start), days[-1]
    partial = today < week_end
    if plan is None or not plan.stages:
        return WeekGrade(label, week_start, week_end, partial, 0, 0)
    in_plan = [day for day in counted if plan.stage_on(day) is not None]
    working = [day for day in in_plan if day.isoweekday() in plan.work_days]
    reported = [day for day in working if day in worked_by_day]
    missing = [day for day in working if day not in worked_by_day]
    worked = sum((worked_by_day[day] for day in in_plan if day in worked_by_day), Decimal(0))
    planned = sum((plan.planned_hours_on(day) or Decimal(0) for day in working), Decimal(0))
    periods: list[StagePeriod] = []
    for day in in_plan:
        stage = plan.stage_on(day)
        assert stage is not None
        is_working = 1 if day in working else 0
        if (
            periods
            and periods[-1].sick_leave_percent == stage.sick_leave_percent
            and (plan.stage_on(day - timedelta(days=1)) is stage)
        ):
            last = periods[-1]
            periods[-1] = StagePeriod(
                last.sick_leave_percent, last.starts_on, day, last.working_days + is_working
            )
        else:
            periods.append(StagePeriod(stage.sick_leave_percent, day, day, is_working))
    planned_grade = None
    if working:
        weighted = sum(
            (HUNDRED - p.sick_leave_percent) * p.working_days for p in periods if p.working_days
        )
        planned_grade = (Decimal(weighted) / len(working)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)
    return WeekGrade(
        week=label,
        week_start=week_start,
        week_end=week_end,
        partial=partial,
        working_days=len(working),
        reported_days=len(reported),
        missing_days=missing,
        planned_hours=planned.quantize(_TWO_DECIMALS, ROUND_HALF_UP),
        worked_hours=worked.quantize(_TWO_DECIMALS, ROUND_HALF_UP),
        stages=periods,
        planned_work_grade=planned_grade,
        actual_work_grade=grade(worked, plan.agreed_weekly_hours, len(reported)),
    )
