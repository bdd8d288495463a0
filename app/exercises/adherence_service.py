"""Set-based loading for adherence and "today": one query for plans, one for log counts."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.care.access import PatientScope
from app.core.errors import Unprocessable
from app.core.time import days_before, local_today
from app.exercises.adherence import DayCount, Dose, Plan, compute, rate, week_of
from app.exercises.models import assignment_table, dose_table, exercise_log_table
from app.exercises.schemas import (
    AdherencePublic,
    AssignmentAdherence,
    ProgressPublic,
    TodayAssignment,
    WeekAdherence,
    format_worry_time,
)

_a = assignment_table.c
_d = dose_table.c
_l = exercise_log_table.c
_u = user_table.c
MAX_WINDOW_DAYS = 366
DEFAULT_WINDOW_DAYS = 28  # the 28 days before today, plus today's sessions done so far


def _plans_query(patients: ColumnElement[bool]) -> Select[Any]:
    start = bindparam("window_start", type_=Date())
    end = bindparam("window_end", type_=Date())
    return (
        select(
            _u.id.label("patient_id"),
            _u.timezone,
            _a.id,
            _a.exercise_kind,
            _a.starts_on,
            _a.ends_on,
            _a.worry_time,
            _a.instructions,
            _d.effective_from,
            _d.times_per_day,
            _d.times_per_week,
            _d.paused,
        )
        .select_from(user_table)
        .outerjoin(
            assignment_table,
            (_a.patient_id == _u.id)
            & (_a.starts_on <= end)
            & (_a.ends_on.is_(None) | (_a.ends_on >= start)),
        )
        .outerjoin(dose_table, _d.assignment_id == _a.id)
        .where(patients)
        .order_by(_u.id, _a.starts_on, _a.id, _d.effective_from)
    )


def _counts_query(patients: ColumnElement[bool]) -> Select[Any]:
    return (
        select(
            _l.patient_id,
            _l.assignment_id,
            _l.exercise_kind,
            _l.local_date,
            func.count().label("n"),
            func.max(_l.started_at).label("last_started_at"),
        )
        .where(
            patients,
            _l.local_date >= bindparam("window_start", type_=Date()),
            _l.local_date <= bindparam("window_end", type_=Date()),
        )
        .group_by(_l.patient_id, _l.assignment_id, _l.exercise_kind, _l.local_date)
    )


# Built once, for one patient ("today") and for many (a bound list): a statement built per
# call costs more Python than its execution.
_PLANS_ONE = _plans_query(_u.id == bindparam("patient_id", type_=_u.id.type))
# One patient's plans overlapping [window_start, window_end], a row per dose (and one row
# for the patient when there are none); "today" adds its one-value columns to it.
PLANS_ONE = _PLANS_ONE
_PLANS_MANY = _plans_query(_u.id.in_(bindparam("patient_ids", expanding=True)))
_COUNTS_ONE = _counts_query(_l.patient_id == bindparam("patient_id", type_=_l.patient_id.type))
_COUNTS_MANY = _counts_query(_l.patient_id.in_(bindparam("patient_ids", expanding=True)))


def _patients(
    one: Select[Any], many: Select[Any], patient_ids: Sequence[uuid.UUID]
) -> tuple[Select[Any], dict[str, Any]]:
    if len(patient_ids) == 1:
        return one, {"patient_id": patient_ids[0]}
    return many, {"patient_ids": list(patient_ids)}


async def load_plans(
    session: AsyncSession, *, patient_ids: Sequence[uuid.UUID], window_start: date, window_end: date
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, list[Plan]]]:
    """Time zones of the patients and their assignments overlapping the window (one query)."""
    query, params = _patients(_PLANS_ONE, _PLANS_MANY, patient_ids)
    params.update(window_start=window_start, window_end=window_end)
    return plans_of((await session.execute(query, params)).all())


def plans_of(
    rows: Sequence[Any],
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, list[Plan]]]:
    """Time zones and assignments from the rows of the plans statement (`PLANS_ONE`)."""
    zones: dict[uuid.UUID, str] = {}
    rows_by_plan: dict[uuid.UUID, list[Dose]] = defaultdict(list)
    heads: dict[uuid.UUID, Any] = {}
    for row in rows:
        zones[row.patient_id] = row.timezone
        if row.id is None or row.effective_from is None:
            continue
        heads.setdefault(row.id, row)
        rows_by_plan[row.id].append(
            Dose(row.effective_from, row.times_per_day, row.times_per_week, bool(row.paused))
        )
    plans: dict[uuid.UUID, list[Plan]] = {pid: [] for pid in zones}
    for plan_id, head in heads.items():
        plans[head.patient_id].append(
            Plan(
                id=plan_id,
                patient_id=head.patient_id,
                exercise_kind=head.exercise_kind,
                starts_on=head.starts_on,
                ends_on=head.ends_on,
                doses=tuple(rows_by_plan[plan_id]),
                worry_time=format_worry_time(head.worry_time),
                instructions=head.instructions,
            )
        )
    return zones, plans


async def load_day_counts(
    session: AsyncSession, *, patient_ids: Sequence[uuid.UUID], window_start: date, window_end: date
) -> dict[uuid.UUID, list[DayCount]]:
    """Logs per patient, assignment id, kind and local date in the window (one query)."""
    query, params = _patients(_COUNTS_ONE, _COUNTS_MANY, patient_ids)
    params.update(window_start=window_start, window_end=window_end)
    counts: dict[uuid.UUID, list[DayCount]] = defaultdict(list)
    for row in (await session.execute(query, params)).all():
        counts[row.patient_id].append(
            DayCount(
                row.assignment_id, row.exercise_kind, row.local_date, row.n, row.last_started_at
            )
        )
    return counts


def loading_window(window_start: date, window_end: date) -> tuple[date, date]:
    """The dates to load for a window: weeks are judged whole, so from the window's Monday."""
    return week_of(window_start), window_end


async def adherence_for_patients(
    session: AsyncSession, *, patient_ids: Sequence[uuid.UUID], window_start: date, window_end: date
) -> dict[uuid.UUID, AdherencePublic]:
    """Adherence of many patients over one window of local dates, in two queries."""
    load_from, load_to = loading_window(window_start, window_end)
    zones, plans = await load_plans(
        session, patient_ids=patient_ids, window_start=load_from, window_end=load_to
    )
    counts = await load_day_counts(
        session, patient_ids=patient_ids, window_start=load_from, window_end=load_to
    )
    answers: dict[uuid.UUID, AdherencePublic] = {}
    for patient_id, zone_name in zones.items():
        today = local_today(zone_name)
        items = []
        for plan in plans[patient_id]:
            result = compute(
                plan,
                counts.get(patient_id, []),
                window_start=window_start,
                window_end=window_end,
                today=today,
            )
            overlaps = plan.starts_on <= window_end and (
                plan.ends_on is None or plan.ends_on >= window_start
            )
            if not overlaps and not result.weeks:
                continue  # loaded for the window's first week only, and nothing falls in it
            items.append(
                AssignmentAdherence(
                    assignment_id=plan.id,
                    exercise_kind=plan.exercise_kind,  # type: ignore[arg-type]
                    prescribed=result.prescribed,
                    completed=result.completed,
                    rate=rate(result.completed, result.prescribed),
                    by_week=[
                        WeekAdherence(
                            week=f"{w.year}-W{w.week:02d}",
                            starts_on=w.starts_on,
                            closed=w.closed,
                            prescribed=w.prescribed,
                            completed=w.completed,
                            rate=rate(w.completed, w.prescribed),
                        )
                        for w in result.weeks
                    ],
                    last_done_at=result.last_done_at,
                    today=None
                    if result.today is None
                    else ProgressPublic(
                        period=result.today.period,
                        prescribed=result.today.target,
                        done=result.today.done,
                    ),
                )
            )
        prescribed = sum(item.prescribed for item in items)
        completed = sum(item.completed for item in items)
        answers[patient_id] = AdherencePublic(
            patient_id=patient_id,
            window_start=window_start,
            window_end=window_end,
            prescribed=prescribed,
            completed=completed,
            rate=rate(completed, prescribed),
            assignments=items,
        )
    return answers


async def patient_adherence(
    session: AsyncSession, *, scope: PatientScope, date_from: date | None, date_to: date | None
) -> AdherencePublic:
    """One linked patient's adherence; the window defaults to the 28 days before today and
    today (the worklist's `adherence_28d`)."""
    if date_from is None or date_to is None:
        zone_name = await session.scalar(select(_u.timezone).where(_u.id == scope.patient_id))
        today = local_today(zone_name or "UTC")
        date_to = date_to or today
        date_from = date_from or days_before(date_to, DEFAULT_WINDOW_DAYS)
    if date_from > date_to:
        raise Unprocessable("`from` is after `to`.", code="invalid_window")
    if (date_to - date_from).days >= MAX_WINDOW_DAYS:
        raise Unprocessable("The window is longer than a year.", code="window_too_long")
    answers = await adherence_for_patients(
        session, patient_ids=[scope.patient_id], window_start=date_from, window_end=date_to
    )
    return answers[scope.patient_id]


async def today_assignments(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    timezone: str,
    plans: dict[uuid.UUID, list[Plan]] | None = None,
) -> list[TodayAssignment]:
    """The patient's assignments active today with done/prescribed for today or this week
    (computed by the same rule as the therapist's figures); `plans`, when the caller read
    them already (`PLANS_ONE` with today's window), saves a statement."""
    today = local_today(timezone)
    if plans is None:
        _, plans = await load_plans(
            session, patient_ids=[patient_id], window_start=today, window_end=today
        )
    mine = plans.get(patient_id, [])
    if not mine:
        return []  # nothing assigned today: no logs to count
    counts = await load_day_counts(
        session, patient_ids=[patient_id], window_start=week_of(today), window_end=today
    )
    items = []
    for plan in mine:
        progress = compute(
            plan, counts.get(patient_id, []), window_start=today, window_end=today, today=today
        ).today
        if progress is None:
            continue
        items.append(
            TodayAssignment(
                id=plan.id,
                exercise_kind=plan.exercise_kind,  # type: ignore[arg-type]
                period=progress.period,
                prescribed=progress.target,
                done=progress.done,
                worry_time=plan.worry_time,
                instructions=plan.instructions,
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
            )
        )
    return items
