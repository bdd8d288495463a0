"""Adherence: the one rule, as one pure function (`compute`), used by the patient's today, the
therapist's worklist and patient detail, and the adherence endpoint alike.

Rule (DESIGN.md rule 4; issue 10 §2). Inputs: one assignment (start, optional end, dose
history), the patient's logs counted per local date, a window of local dates `start..end`
(inclusive) and the patient's local `today`.

1. Dates are the patient's local calendar dates; a log belongs to the local date of its
   `started_at` in the patient's time zone when it was recorded.
2. A day is *active* when it lies on or after the assignment's start, on or before its end,
   and the dose in force that day (the dose-history row with the latest `effective_from` on
   or before it) is not a pause. Logs count for the assignment when they are linked to it, or
   unlinked, of its kind and dated within its start..end; logs on inactive days count for
   nothing. `logs(d)` is the number of counted logs on active day d.
3. Only days up to `last = min(end, today)` are looked at; nothing after today is ever due.
4. Daily dose (`times_per_day = n` in force on d), for each active d in `start..last`:
   - d before today: prescribed n, completed min(logs(d), n) (extra sessions on one day do
     not make up for another day);
   - d = today: prescribed = completed = min(logs(d), n). Today's sessions count once done
     and are never a debt while the day is still going on.
5. Weekly dose (`times_per_week = w` in force on d), per ISO week W (Monday..Sunday) with
   at least one active weekly-dose day on or before `last`, among the weeks from the one
   holding `start` to the one holding `last`:
   - share(W) = round half up of the sum of w/7 over W's active weekly-dose days, all seven
     days of W counted (a week cut by the assignment's start or end, or by a pause, is
     prescribed pro rata: 3 a week from a Thursday is round(12/7) = 2 that week);
   - done(W) = the sum of logs(d) over W's active weekly-dose days up to `last`, including
     days of W before `start`: a week is judged as a whole;
   - W is *closed* when its Sunday is on or before `last` and before today. A closed week:
     prescribed share(W), completed min(done(W), share(W)). A week that is not closed (the
     current week, or one cut by `end`): prescribed = completed = min(done(W), share(W)),
     so it can only help until it is over.
6. A week can hold both kinds of dose (the dose changed mid-week); the parts add up.
7. rate = completed / prescribed rounded to 3 decimals, null when nothing was prescribed; over
   several assignments, completed and prescribed are summed first.

Consequence, pinned by tests: a patient who does every prescribed occurrence (each daily dose
on its day; each week's share anywhere in its week, e.g. all on Monday) is at 100 % for every
window on every day, and what is not yet due is never counted as missed.

`Progress` (what "today" shows, and the therapist sees the same): for a daily dose, (day, n,
logs(today)); for a weekly dose, (week, share(this week), logs of this week's active days up
to today); None when today is not active.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Literal


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


@dataclass(frozen=True, slots=True)
class Progress:
    """Today's progress: `done` of `target` today (daily dose) or this ISO week (weekly)."""

    period: Literal["day", "week"]
    target: int
    done: int


@dataclass(slots=True)
class WeekResult:
    year: int
    week: int
    starts_on: date
    closed: bool
    prescribed: int = 0
    completed: int = 0


@dataclass(slots=True)
class PlanResult:
    plan: Plan
    prescribed: int = 0
    completed: int = 0
    weeks: list[WeekResult] = field(default_factory=list)
    last_done_at: datetime | None = None
    today: Progress | None = None


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


def active_dose(plan: Plan, day: date) -> Dose | None:
    """The dose in force on `day` unless the day is outside the dates or paused."""
    dose = dose_on(plan, day)
    return None if dose is None or dose.paused else dose


def counts_for(plan: Plan, day: DayCount) -> bool:
    """Whether a day's logs belong to this assignment (linked, or unlinked of its kind)."""
    if day.assignment_id is not None:
        return day.assignment_id == plan.id
    return day.exercise_kind == plan.exercise_kind and dose_on(plan, day.local_date) is not None


def half_up(value: Fraction) -> int:
    """Round a non-negative fraction to a whole number, halves up."""
    return math.floor(value + Fraction(1, 2))


def week_of(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def weekly_share(plan: Plan, monday: date) -> int:
    """share(W): the weekly doses' occurrences prescribed in the ISO week from `monday`."""
    share = Fraction(0)
    for offset in range(7):
        dose = active_dose(plan, monday + timedelta(days=offset))
        if dose is not None and dose.times_per_week is not None:
            share += Fraction(dose.times_per_week, 7)
    return half_up(share)


def _progress(plan: Plan, logs: dict[date, int], today: date) -> Progress | None:
    dose = active_dose(plan, today)
    if dose is None:
        return None
    if dose.times_per_day is not None:
        return Progress("day", dose.times_per_day, logs.get(today, 0))
    monday = week_of(today)
    done = 0
    for offset in range((today - monday).days + 1):
        day = monday + timedelta(days=offset)
        weekly = active_dose(plan, day)
        if weekly is not None and weekly.times_per_week is not None:
            done += logs.get(day, 0)
    return Progress("week", weekly_share(plan, monday), done)


def _week(
    plan: Plan, logs: dict[date, int], monday: date, *, start: date, last: date, today: date
) -> WeekResult | None:
    sunday = monday + timedelta(days=6)
    year, number, _ = monday.isocalendar()
    result = WeekResult(year, number, monday, closed=sunday <= last and sunday < today)
    weekly_days = done = 0
    has_daily = False
    day = monday
    while day <= min(sunday, last):
        dose = active_dose(plan, day)
        count = logs.get(day, 0)
        if dose is not None and dose.times_per_day is not None and day >= start:
            has_daily = True
            n, counted = dose.times_per_day, min(count, dose.times_per_day)
            result.prescribed += n if day < today else counted
            result.completed += counted
        elif dose is not None and dose.times_per_week is not None:
            weekly_days += 1
            done += count
        day += timedelta(days=1)
    if not has_daily and not weekly_days:
        return None
    if weekly_days:
        share = weekly_share(plan, monday)
        result.prescribed += share if result.closed else min(done, share)
        result.completed += min(done, share)
    return result


def compute(
    plan: Plan, days: Iterable[DayCount], *, window_start: date, window_end: date, today: date
) -> PlanResult:
    """Prescribed and completed occurrences of one assignment over a window (rules above)."""
    result = PlanResult(plan=plan)
    last = min(window_end, today)
    logs: dict[date, int] = defaultdict(int)
    for entry in days:
        if not counts_for(plan, entry) or active_dose(plan, entry.local_date) is None:
            continue
        logs[entry.local_date] += entry.count
        if window_start <= entry.local_date <= last and (
            result.last_done_at is None or entry.last_started_at > result.last_done_at
        ):
            result.last_done_at = entry.last_started_at
    if window_start <= today <= window_end:
        result.today = _progress(plan, logs, today)
    monday = week_of(window_start)
    while monday <= last:
        week = _week(plan, logs, monday, start=window_start, last=last, today=today)
        if week is not None:
            result.weeks.append(week)
            result.prescribed += week.prescribed
            result.completed += week.completed
        monday += timedelta(days=7)
    return result


def today_progress(plan: Plan, days: Iterable[DayCount], *, today: date) -> Progress | None:
    """What the patient's today shows for one assignment (the same rule as `compute`)."""
    return compute(plan, days, window_start=today, window_end=today, today=today).today
