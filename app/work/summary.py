"""Week-by-week comparison of the diary with the plan, for one patient or many at once."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.access import PatientScope
from app.core.time import local_today
from app.work import grades
from app.work.diary import patient_timezone, to_hours
from app.work.models import work_diary_table
from app.work.plan import load_plans
from app.work.schemas import StagePeriodPublic, WeekPublic, WorkSummary

_d = work_diary_table.c
DEFAULT_WEEKS = 8
MAX_WEEKS = 52


async def worked_by_day(
    session: AsyncSession, *, patient_ids: Sequence[uuid.UUID], date_from: date, date_to: date
) -> dict[uuid.UUID, dict[date, Decimal]]:
    """Diary hours per patient and local date in a date range, in one statement."""
    result: dict[uuid.UUID, dict[date, Decimal]] = defaultdict(dict)
    if not patient_ids:
        return result
    rows = await session.execute(
        select(_d.patient_id, _d.local_date, _d.worked_minutes).where(
            _d.patient_id.in_(list(patient_ids)),
            _d.local_date >= date_from,
            _d.local_date <= date_to,
        )
    )
    for row in rows:
        result[row.patient_id][row.local_date] = to_hours(row.worked_minutes)
    return result


def week_public(week: grades.WeekGrade) -> WeekPublic:
    """The response shape of one computed week."""
    return WeekPublic(
        week=week.week,
        week_start=week.week_start,
        week_end=week.week_end,
        partial=week.partial,
        working_days=week.working_days,
        reported_days=week.reported_days,
        missing_days=week.missing_days,
        planned_hours=float(week.planned_hours),
        worked_hours=float(week.worked_hours),
        sick_leave=[
            StagePeriodPublic(
                sick_leave_percent=p.sick_leave_percent,
                starts_on=p.starts_on,
                ends_on=p.ends_on,
                working_days=p.working_days,
            )
            for p in week.stages
        ],
        planned_work_grade=None
        if week.planned_work_grade is None
        else float(week.planned_work_grade),
        actual_work_grade=None if week.actual_work_grade is None else float(week.actual_work_grade),
    )


async def work_summary(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str, weeks: int
) -> WorkSummary:
    """The last `weeks` ISO weeks up to the current (partial) one, oldest first."""
    today = local_today(timezone)
    current = grades.week_start_of(today)
    mondays = [current - timedelta(weeks=back) for back in reversed(range(weeks))]
    plan = (await load_plans(session, patient_ids=[patient_id])).get(patient_id)
    worked = (
        await worked_by_day(session, patient_ids=[patient_id], date_from=mondays[0], date_to=today)
    ).get(patient_id, {})
    return WorkSummary(
        patient_id=patient_id,
        agreed_weekly_hours=None if plan is None else float(plan.agreed_weekly_hours),
        weeks=[
            week_public(grades.week_grade(plan, worked, week_start=monday, today=today))
            for monday in mondays
        ],
    )


async def work_summary_for_therapist(
    session: AsyncSession, *, scope: PatientScope, weeks: int
) -> WorkSummary:
    """A linked patient's week summary, in the patient's time zone."""
    timezone = await patient_timezone(session, patient_id=scope.patient_id)
    return await work_summary(session, patient_id=scope.patient_id, timezone=timezone, weeks=weeks)


async def last_week_grades(
    session: AsyncSession, *, today_by_patient: Mapping[uuid.UUID, date]
) -> dict[uuid.UUID, grades.WeekGrade]:
    """Each patient's last complete ISO week (before their local today), in two statements."""
    if not today_by_patient:
        return {}
    mondays = {
        pid: grades.week_start_of(today) - timedelta(weeks=1)
        for pid, today in today_by_patient.items()
    }
    ids = list(today_by_patient)
    plans = await load_plans(session, patient_ids=ids)
    worked = await worked_by_day(
        session,
        patient_ids=ids,
        date_from=min(mondays.values()),
        date_to=max(mondays.values()) + timedelta(days=6),
    )
    return {
        pid: grades.week_grade(
            plans.get(pid), worked.get(pid, {}), week_start=monday, today=today_by_patient[pid]
        )
        for pid, monday in mondays.items()
    }
