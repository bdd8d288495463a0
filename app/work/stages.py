"""The return-to-work plan as the grade arithmetic sees it (pure, no database, no clock):
its stages and work days, a diary day, the date of full return, and ISO weeks.

How these make a period's work grade is in `app.work.grades`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

HUNDRED = Decimal(100)
DayType = Literal["work", "vacation", "leave"]
DAY_TYPES: tuple[DayType, ...] = ("work", "vacation", "leave")
DAYS_OFF: frozenset[str] = frozenset({"vacation", "leave"})


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the plan: from `starts_on` until the next stage starts."""

    starts_on: date
    sick_leave_percent: int
    planned_weekly_hours: Decimal | None = None
    adjustments: str | None = None
    review_on: date | None = None
    reviewed_on: date | None = None

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

    def ends_on(self, index: int) -> date | None:
        """The last day of stage `index` (the day before the next one starts), or None."""
        if index + 1 < len(self.stages):
            return self.stages[index + 1].starts_on - timedelta(days=1)
        return None

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


@dataclass(frozen=True, slots=True)
class Day:
    """One diary entry as the arithmetic sees it."""

    worked_minutes: int
    day_type: str = "work"


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
