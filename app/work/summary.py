"""The diary against the plan, per ISO week or per sick-leave period, for one or many patients."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from sqlalchemy import Date, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.access import PatientScope
from app.core.among import DIALECTS, among_bound, dialect_of
from app.core.time import local_today
from app.work import grades
from app.work.diary import patient_timezone
from app.work.models import work_diary_table
from app.work.plan import load_plans
from app.work.reviews import review_due
from app.work.schemas import (
    PeriodPublic,
    StagePartPublic,
    WeekPublic,
    WorkSummary,
)

_d = work_diary_table.c
DEFAULT_WEEKS = 8
MAX_WEEKS = 52
SummaryBy = Literal["week", "period"]


def _days(dialect: str, *, since: bool) -> Any:
    query = select(_d.patient_id, _d.local_date, _d.worked_minutes, _d.day_type).where(
        among_bound(_d.patient_id, "patient_ids", dialect),
        _d.local_date <= bindparam("date_to", type_=Date()),
    )
    return query.where(_d.local_date >= bindparam("date_from", type_=Date())) if since else query


# Built once per dialect, with and without a first date.
_DAYS = {d: _days(d, since=False) for d in DIALECTS}
_DAYS_SINCE = {d: _days(d, since=True) for d in DIALECTS}


async def diary_days(
    session: AsyncSession,
    *,
    patient_ids: Sequence[uuid.UUID],
    date_from: date | None,
    date_to: date,
) -> dict[uuid.UUID, dict[date, grades.Day]]:
    """Diary entries per patient and local date up to `date_to` (from `date_from`), one query."""
    result: dict[uuid.UUID, dict[date, grades.Day]] = defaultdict(dict)
    if not patient_ids:
        return result
    query = _DAYS_SINCE if date_from is not None else _DAYS
    rows = await session.execute(
        query[dialect_of(session)],
        {"patient_ids": list(patient_ids), "date_from": date_from, "date_to": date_to},
    )
    for row in rows.all():
        result[row.patient_id][row.local_date] = grades.Day(row.worked_minutes, row.day_type)
    return result


def _hours(minutes: int) -> float:
    return float((Decimal(minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP))


def figures(period: grades.PeriodGrade) -> dict[str, object]:
    """The response fields every row shares (GradeFigures)."""
    return {
        "partial": period.partial,
        "sick_leave_percent": period.sick_leave_percent,
        "hours_worked": _hours(period.worked_minutes),
        "weekdays_in_period": period.weekdays_in_period,
        "weekdays_recorded": period.weekdays_recorded,
        "days_off": period.days_off,
        "working_days": period.working_days,
        "complete": period.complete,
        "missing_days": period.missing_days,
        "planned_hours": float(period.planned_hours.quantize(Decimal("0.01"), ROUND_HALF_UP)),
        "actual_grade": period.actual_grade,
        "planned_grade": period.planned_grade,
        "above_plan": period.above_plan,
        "sick_leave": [
            StagePartPublic(
                sick_leave_percent=part.sick_leave_percent,
                starts_on=part.starts_on,
                ends_on=part.ends_on,
                working_days=part.working_days,
            )
            for part in period.stages
        ],
    }


def week_public(week: grades.PeriodGrade) -> WeekPublic:
    """The response shape of one computed ISO week."""
    return WeekPublic(
        week=grades.iso_week_label(week.first),
        week_start=week.first,
        week_end=week.last,
        **figures(week),  # type: ignore[arg-type]
    )


def period_public(stage: grades.StageGrade) -> PeriodPublic:
    """The response shape of one sick-leave period."""
    return PeriodPublic(
        starts_on=stage.starts_on,
        ends_on=stage.ends_on,
        **figures(stage.figures),  # type: ignore[arg-type]
    )


async def work_summary(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str, by: SummaryBy, weeks: int
) -> WorkSummary:
    """by=week: the last `weeks` ISO weeks up to the current one; by=period: every sick-leave
    period that has begun. Oldest first."""
    today = local_today(timezone)
    plan = (await load_plans(session, patient_ids=[patient_id])).get(patient_id)
    if by == "period":
        first = plan.starts_on if plan is not None else None
        days = await diary_days(session, patient_ids=[patient_id], date_from=first, date_to=today)
        periods = grades.stage_grades(plan, days.get(patient_id, {}), today=today)
        return WorkSummary(
            patient_id=patient_id,
            agreed_weekly_hours=None if plan is None else float(plan.agreed_weekly_hours),
            by=by,
            weeks=[],
            periods=[period_public(stage) for stage in periods],
        )
    current = grades.week_start_of(today)
    mondays = [current - timedelta(weeks=back) for back in reversed(range(weeks))]
    days = await diary_days(session, patient_ids=[patient_id], date_from=mondays[0], date_to=today)
    mine = days.get(patient_id, {})
    return WorkSummary(
        patient_id=patient_id,
        agreed_weekly_hours=None if plan is None else float(plan.agreed_weekly_hours),
        by=by,
        weeks=[
            week_public(grades.week_grade(plan, mine, week_start=monday, today=today))
            for monday in mondays
        ],
        periods=[],
    )


async def work_summary_for_therapist(
    session: AsyncSession, *, scope: PatientScope, by: SummaryBy, weeks: int
) -> WorkSummary:
    """A linked patient's summary, in the patient's time zone."""
    timezone = await patient_timezone(session, patient_id=scope.patient_id)
    return await work_summary(
        session, patient_id=scope.patient_id, timezone=timezone, by=by, weeks=weeks
    )


@dataclass(frozen=True, slots=True)
class WorkGlance:
    """What the worklist shows of the work side: last ISO week's grade, and a due review."""

    last_week: grades.PeriodGrade
    review_due: bool


async def work_at_a_glance(
    session: AsyncSession,
    *,
    today_by_patient: Mapping[uuid.UUID, date],
    plans: Mapping[uuid.UUID, grades.Plan] | None = None,
) -> dict[uuid.UUID, WorkGlance]:
    """Each patient's last complete ISO week (before their local today) and whether a plan
    review is due, in two statements (one when the caller read the current plans already:
    `plans`, patients without one absent, as `load_plans` gives them)."""
    if not today_by_patient:
        return {}
    mondays = {
        pid: grades.week_start_of(today) - timedelta(weeks=1)
        for pid, today in today_by_patient.items()
    }
    ids = list(today_by_patient)
    if plans is None:
        plans = await load_plans(session, patient_ids=ids)
    days = await diary_days(
        session,
        patient_ids=ids,
        date_from=min(mondays.values()),
        date_to=max(mondays.values()) + timedelta(days=6),
    )
    return {
        pid: WorkGlance(
            last_week=grades.week_grade(
                plans.get(pid), days.get(pid, {}), week_start=monday, today=today_by_patient[pid]
            ),
            review_due=review_due(plans.get(pid), today=today_by_patient[pid]),
        )
        for pid, monday in mondays.items()
    }
