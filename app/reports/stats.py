"""Summary statistics over patients and the report's RTW status, pure.

- quartiles: the 25th, 50th (median) and 75th percentiles by linear interpolation between
  the order statistics, counting the lowest and highest values as the 0th and 100th
  percentiles (`statistics.quantiles(..., method="inclusive")`, the same as a spreadsheet's
  QUARTILE.INC and numpy's default); the median of an even number of values is the mean of
  the middle two.
- RTW status on a day (`rtw_status`): `full` once the full return to work has begun (the
  therapist's record, else the plan's first 0 % stage for good: `app.boosters.followups.
  actual_return`, the date the follow-ups count from); otherwise from the sick-leave percent
  of the plan stage in force that day (`app.work.grades.Plan.stage_on`): working percent =
  100 - sick-leave percent; 0 % working is `none`, 1-39 % `partial_1_39`, 40-79 %
  `partial_40_79`, 80-99 % `partial_80_99`; no plan, or a day before its first stage, is
  `unknown`; a 0 % stage in force reads `full` on its days (100 % working) even when the
  plan later goes back to sick leave.
- actual work status (`actual_status`): the band of the actual work grade of the last
  complete ISO week of the period (see the function).
- change (`rtw_change`): the status at the end of the period against the status on the day
  treatment started, by rank none < 1-39 < 40-79 < 80-99 < full: `up`, `same`, `down`; None
  when either is unknown.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from app.boosters.followups import actual_return
from app.work.grades import PeriodGrade, Plan, Stage
from app.work.schemas import WEEKDAYS

WorkingStatus = Literal["full", "partial_80_99", "partial_40_79", "partial_1_39", "none"]
RtwStatus = WorkingStatus | Literal["unknown"]
RTW_STATUSES: tuple[RtwStatus, ...] = (
    "full",
    "partial_80_99",
    "partial_40_79",
    "partial_1_39",
    "none",
    "unknown",
)
_RANK: dict[RtwStatus, int] = {
    "none": 0,
    "partial_1_39": 1,
    "partial_40_79": 2,
    "partial_80_99": 3,
    "full": 4,
}
RtwChange = Literal["up", "same", "down"]
ActualStatus = WorkingStatus | Literal["incomplete", "no_grade"]
ACTUAL_STATUSES: tuple[ActualStatus, ...] = (
    "full",
    "partial_80_99",
    "partial_40_79",
    "partial_1_39",
    "none",
    "incomplete",
    "no_grade",
)


def sick_leave_plan(body: Mapping[str, Any]) -> Plan:
    """A stored plan body (validated when it was saved) as far as the report reads it: the
    agreed weekly hours, the work days and each stage's first day and sick-leave percent.
    `app.work.plan.plan_of` is the full view (planned hours, review dates); this one skips its
    validation, ~0.2 ms per patient, which counts at thousands of patients (a property test
    holds the two to the same plan for the status and the work grade). The parts many plans
    share (a stage's start and percent, the agreed hours, the work days) are immutable values,
    made once and shared (`_stage`, `_hours`, `_work_days`)."""
    return Plan(
        agreed_weekly_hours=_hours(str(body["agreed_weekly_hours"])),
        work_days=_work_days(tuple(body["work_days"])),
        stages=tuple(
            _stage(stage["starts_on"], int(stage["sick_leave_percent"])) for stage in body["stages"]
        ),
    )


@functools.lru_cache(maxsize=4096)
def _stage(starts_on: str, sick_leave_percent: int) -> Stage:
    return Stage(date.fromisoformat(starts_on), sick_leave_percent)


@functools.lru_cache(maxsize=256)
def _hours(text: str) -> Decimal:
    return Decimal(text)


@functools.lru_cache(maxsize=256)
def _work_days(names: tuple[str, ...]) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(day) + 1 for day in names)


def quartiles(values: Sequence[float]) -> tuple[float, float, float] | None:
    """(first quartile, median, third quartile), inclusive method; None without values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def working_status(working_percent: int) -> WorkingStatus:
    """The band of a working percent (100 - sick-leave percent)."""
    if working_percent <= 0:
        return "none"
    if working_percent < 40:
        return "partial_1_39"
    if working_percent < 80:
        return "partial_40_79"
    if working_percent < 100:
        return "partial_80_99"
    return "full"


def rtw_status(
    plan: Plan | None,
    *,
    recorded_on: date | None,
    plan_return_on: date | None,
    day: date,
) -> RtwStatus:
    """The patient's RTW status on `day` (rules in the module docstring)."""
    returned = actual_return(recorded_on=recorded_on, plan_return_on=plan_return_on)
    if returned is not None and returned <= day:
        return "full"
    stage = plan.stage_on(day) if plan is not None else None
    if stage is None:
        return "unknown"
    return working_status(100 - stage.sick_leave_percent)


def rtw_change(start: RtwStatus, end: RtwStatus) -> RtwChange | None:
    """`up`, `same` or `down` from `start` to `end` by rank; None when either is unknown."""
    if start == "unknown" or end == "unknown":
        return None
    before, after = _RANK[start], _RANK[end]
    return "up" if after > before else "down" if after < before else "same"


def actual_status(week: PeriodGrade | None) -> ActualStatus:
    """The band of a week's actual work grade (the welfare office's rule,
    `app.work.grades.week_grade`): 0 `none`, 1-39, 40-79, 80-99 `partial_*`, 100 or more
    `full` (the grade is not capped); `incomplete` when a weekday is missing from the diary
    (the grade would count it as 0 h); `no_grade` without a plan or without a sick-leave
    working day that week (back at work, the plan not begun, every weekday off)."""
    if week is None or week.actual_grade is None:
        return "no_grade"
    if not week.complete:
        return "incomplete"
    return working_status(week.actual_grade)
