"""Adherence arithmetic: a pure function of (assignment, dose history, daily log counts, window).

Counting rules (what a therapist sees; tests in tests/test_exercises_adherence_rules.py):

* Days are the patient's local calendar dates; a log belongs to the local date of its
  `started_at` in the patient's time zone when it was recorded (stored as `local_date`).
* A day is *active* for an assignment when it lies in the window, on or after `starts_on`, on
  or before `ends_on` (inclusive) and on or before the patient's today (days that have not come
  yet are never "missed"; today counts), and the dose in force that day is not a pause.
  The dose in force on a day is the dose-history row with the latest `effective_from` on or
  before it, so past days keep the dose they had when a therapist later changes it.
* Which logs count: those linked to the assignment, plus unlinked logs of the same kind dated
  within the assignment's start/end (two assignments of one kind never overlap, so an unlinked
  log has at most one home). Logs on inactive days count for nothing.
* Daily dose: each active day prescribes `times_per_day`; completed is the day's logs, at most
  `times_per_day` (three sessions on Monday do not make up for none on Tuesday).
* Weekly dose, per ISO week (Monday to Sunday): each active day carries `times_per_week / 7` of an
  occurrence; the week's share is rounded half up. A full active week prescribes the whole dose;
  a week cut by the window, the start, the end, a pause or today is prescribed pro rata (3 per
  week started on a Thursday expects 2 that week, 1 by Tuesday of the current week, 0 on its
  Monday). Completed is the week's logs on active days, at most that share. Judging a patient
  on a full weekly dose they had only part of a week to do would be unfair; pro rata keeps the
  weekly numbers comparable with the daily ones.
* A week can mix both kinds of dose (the dose changed mid-week); the parts add up.
* rate = completed / prescribed (3 decimals), null when nothing was prescribed; the overall
  rate sums completed and prescribed over all assignments.
* `last_done_at` is the latest counted-kind log (by `started_at`) dated within the window.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Dose:
    effective_from: date
    times_per_day: int | None
    times_per_week: int | None
    paused: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """An assignment with its dose history sorted by `effective_from`."""

    id: uuid.UUID
    patient_id: uuid.UUID
    exercise_kind: str
    starts_on: date
    ends_on: date | None
    doses: tuple[Dose, ...]
    worry_time: str | None = None  # carried for "today"; the arithmetic ignores them
    instructions: str | None = None


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many logs a patient made on one local date, of one kind, under one assignment id."""

    assignment_id: uuid.UUID | None
    exercise_kind: str
    local_date: date
    count: int
    last_started_at: datetime


@dataclass(slots=True)
class WeekResult:
    year: int
    week: int
    starts_on: date
    prescribed: int = 0
    completed: int = 0


@dataclass(slots=True)
class PlanResult:
    plan: Plan
    prescribed: int = 0
    completed: int = 0
    weeks: list[WeekResult] = field(default_factory=list)
    last_done_at: datetime | None = None


def rate(completed: int, prescribed: int) -> float | None:
    """completed ÷ prescribed to 3 decimals; None when nothing was prescribed."""
    return round(completed / prescribed, 3) if prescribed else None


def dose_on(plan: Plan, day: date) -> Dose | None:
    """The dose in force on `day`, or None outside the assignment's dates."""
    if day < plan.starts_on or (plan.ends_on is not None and day > plan.ends_on):
        return None
    current = None
    for dose in plan.doses:
        if dose.effective_from > day:
            break
        current = dose
    return current


def counts_for(plan: Plan, day: DayCount) -> bool:
    """Whether a day's logs belong to this assignment (linked, or unlinked of its kind)."""
    if day.assignment_id is not None:
        return day.assignment_id == plan.id
    return day.exercise_kind == plan.exercise_kind and dose_on(plan, day.local_date) is not None


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def compute(
    plan: Plan, days: Iterable[DayCount], *, window_start: date, window_end: date, today: date
) -> PlanResult:
    """Prescribed and completed occurrences of one assignment over a window (rules above)."""
    result = PlanResult(plan=plan)
    per_day: dict[date, int] = defaultdict(int)
    for entry in days:
        if counts_for(plan, entry) and window_start <= entry.local_date <= min(window_end, today):
            per_day[entry.local_date] += entry.count
            if result.last_done_at is None or entry.last_started_at > result.last_done_at:
                result.last_done_at = entry.last_started_at
    first = max(window_start, plan.starts_on)
    last = min(window_end, today, plan.ends_on or window_end)
    day = first
    while day <= last:
        year, week, weekday = day.isocalendar()
        monday = day - timedelta(days=weekday - 1)
        week_result = WeekResult(year=year, week=week, starts_on=monday)
        share = Fraction(0)
        weekly_logs = 0
        while day <= last and day.isocalendar()[1] == week:
            dose = dose_on(plan, day)
            if dose is not None and not dose.paused:
                if dose.times_per_day is not None:
                    week_result.prescribed += dose.times_per_day
                    week_result.completed += min(per_day[day], dose.times_per_day)
                elif dose.times_per_week is not None:
                    share += Fraction(dose.times_per_week, 7)
                    weekly_logs += per_day[day]
            day += timedelta(days=1)
        weekly_prescribed = _half_up(share)
        week_result.prescribed += weekly_prescribed
        week_result.completed += min(weekly_logs, weekly_prescribed)
        result.weeks.append(week_result)
        result.prescribed += week_result.prescribed
        result.completed += week_result.completed
    return result


def today_progress(
    plan: Plan, days: Sequence[DayCount], *, today: date
) -> tuple[str, int, int] | None:
    """(period, prescribed, done) for the patient's today; None when not active today."""
    dose = dose_on(plan, today)
    if dose is None or dose.paused:
        return None
    mine = [day for day in days if counts_for(plan, day)]
    if dose.times_per_day is not None:
        done = sum(day.count for day in mine if day.local_date == today)
        return "day", dose.times_per_day, done
    monday = today - timedelta(days=today.weekday())
    done = sum(day.count for day in mine if monday <= day.local_date <= today)
    return "week", dose.times_per_week or 0, done
