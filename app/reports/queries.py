"""The outcome report's reads: a fixed number of statements whatever the caseload's size.

Each statement is scoped to the caseload (`caseload`: the patients with a care link that
overlaps the period, optionally to one therapist) and returns per-patient rows, aggregated in
SQL where a rule is a plain count or mean; the report's own arithmetic (app.reports.figures)
then applies the existing pure rules to those rows. Period bounds in time are UTC midnights:
`start_at` = the first day at 00:00 UTC, `end_at` = the day after the last at 00:00 UTC.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import Subquery

from app.boosters.models import booster_request_table, follow_up_table, rtw_completion_table
from app.care.models import care_link_table
from app.checkins.models import checkin_table
from app.checkins.summary import BASELINE_CHECKINS
from app.core.sqldays import day_number
from app.exercises.adherence_sql import adherence_totals
from app.jobsupport.models import employment_table, job_support_link_table
from app.measures.models import measure_response_table
from app.reports.periods import Period
from app.work.models import rtw_plan_table, work_diary_table

_c = care_link_table.c
_b = booster_request_table.c
_f = follow_up_table.c
_k = checkin_table.c
_m = measure_response_table.c
_j = job_support_link_table.c
_e = employment_table.c
_w = work_diary_table.c
FOLLOW_UP_MONTHS = (3, 6)


@dataclass(frozen=True, slots=True)
class Bounds:
    """The period as dates and as UTC instants, and the day the report is computed as of."""

    period: Period
    as_of: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.period.first, time(), UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.period.last + timedelta(days=1), time(), UTC)

    @property
    def last_week(self) -> date:
        """The Monday of the last complete ISO week (Monday-Sunday) on or before `as_of`."""
        sunday = self.as_of - timedelta(days=self.as_of.isoweekday() % 7)
        return sunday - timedelta(days=6)


@dataclass(frozen=True, slots=True)
class Rows:
    """Everything the figures are computed from, as rows per patient."""

    care: list[Any]
    work: list[Any]
    checkins: list[Any]
    adherence: list[Any]
    boosters: list[Any]
    follow_ups: list[Any]
    measures: list[Any]
    job_links: list[Any]
    new_jobs: list[Any]
    diary: list[Any]


def caseload(bounds: Bounds, therapist_id: uuid.UUID | None) -> Subquery:
    """The patients with a care link overlapping the period (to `therapist_id` when given)."""
    overlaps = and_(
        _c.created_at < bounds.end_at,
        or_(_c.ended_at.is_(None), _c.ended_at >= bounds.start_at),
    )
    if therapist_id is not None:
        overlaps = and_(overlaps, _c.therapist_id == therapist_id)
    return select(_c.patient_id.label("id")).where(overlaps).distinct().subquery("caseload")


def _care(cases: Subquery, bounds: Bounds) -> Select[Any]:
    running_at_end = or_(_c.ended_at.is_(None), _c.ended_at >= bounds.end_at)
    return (
        select(
            _c.patient_id,
            func.min(_c.created_at).label("first_start"),
            func.max(_c.ended_at).label("last_end"),
            func.sum(case((running_at_end, 1), else_=0)).label("running_at_end"),
        )
        .where(_c.patient_id.in_(select(cases.c.id)), _c.created_at < bounds.end_at)
        .group_by(_c.patient_id)
    )


def _work(cases: Subquery) -> Select[Any]:
    _p, _r = rtw_plan_table.c, rtw_completion_table.c
    return (
        select(cases.c.id.label("patient_id"), _p.body, _p.full_return_on, _r.rtw_completed_on)
        .select_from(cases)
        .outerjoin(rtw_plan_table, _p.patient_id == cases.c.id)
        .outerjoin(rtw_completion_table, _r.patient_id == cases.c.id)
    )


def _checkins(cases: Subquery, bounds: Bounds) -> Select[Any]:
    ranked = (
        select(
            _k.patient_id,
            _k.score,
            func.row_number().over(partition_by=_k.patient_id, order_by=_k.local_date).label("up"),
            func.row_number()
            .over(partition_by=_k.patient_id, order_by=_k.local_date.desc())
            .label("down"),
        )
        .where(_k.patient_id.in_(select(cases.c.id)), _k.local_date <= bounds.as_of)
        .subquery("ranked_checkins")
    )
    return select(
        ranked.c.patient_id,
        func.count().label("n"),
        func.avg(case((ranked.c.up <= BASELINE_CHECKINS, ranked.c.score))).label("baseline"),
        func.avg(case((ranked.c.down <= BASELINE_CHECKINS, ranked.c.score))).label("latest"),
    ).group_by(ranked.c.patient_id)


def _adherence(cases: Subquery, bounds: Bounds) -> Select[Any]:
    patients = select(
        cases.c.id.label("id"), literal(day_number(bounds.as_of), Integer).label("today")
    ).subquery("report_patients")
    totals = adherence_totals(
        patients,
        back=(bounds.as_of - bounds.period.first).days,
        first_day=bounds.period.first - timedelta(days=bounds.period.first.weekday()),
        last_day=bounds.as_of,
        name="report_adherence",
    )
    return select(totals.c.patient_id, totals.c.prescribed, totals.c.completed)


def _boosters(cases: Subquery, bounds: Bounds) -> Select[Any]:
    in_period = _b.created_at >= bounds.start_at
    completed_by_end = and_(_b.status == "completed", _b.resolved_at < bounds.end_at)
    return (
        select(
            _b.patient_id,
            _b.source,
            _b.status,
            func.sum(case((in_period, 1), else_=0)).label("in_period"),
            func.sum(case((completed_by_end, 1), else_=0)).label("completed_by_end"),
        )
        .where(_b.patient_id.in_(select(cases.c.id)), _b.created_at < bounds.end_at)
        .group_by(_b.patient_id, _b.source, _b.status)
    )


def _follow_ups(cases: Subquery, bounds: Bounds) -> Select[Any]:
    return select(_f.patient_id, _f.months, _f.status, _f.still_working).where(
        _f.patient_id.in_(select(cases.c.id)),
        _f.months.in_(FOLLOW_UP_MONTHS),
        _f.status != "cancelled",
        _f.due_on >= bounds.period.first,
        _f.due_on <= bounds.period.last,
    )


def _measures(cases: Subquery, bounds: Bounds) -> Select[Any]:
    order = (_m.answered_at, _m.id)
    ranked = (
        select(
            _m.patient_id,
            _m.measure,
            _m.score,
            func.row_number()
            .over(partition_by=(_m.patient_id, _m.measure), order_by=order)
            .label("up"),
            func.row_number()
            .over(
                partition_by=(_m.patient_id, _m.measure),
                order_by=tuple(column.desc() for column in order),
            )
            .label("down"),
        )
        .where(
            _m.patient_id.in_(select(cases.c.id)),
            _m.measure.in_(("phq9", "gad7")),
            _m.answered_at < bounds.end_at,
        )
        .subquery("ranked_measures")
    )
    return select(
        ranked.c.patient_id,
        ranked.c.measure,
        func.count().label("n"),
        func.max(case((ranked.c.up == 1, ranked.c.score))).label("first"),
        func.max(case((ranked.c.down == 1, ranked.c.score))).label("last"),
    ).group_by(ranked.c.patient_id, ranked.c.measure)


def _job_links(cases: Subquery, bounds: Bounds) -> Select[Any]:
    return (
        select(_j.patient_id, func.count().label("n"))
        .where(
            _j.patient_id.in_(select(cases.c.id)),
            _j.status.in_(("accepted", "ended")),
            _j.responded_at >= bounds.start_at,
            _j.responded_at < bounds.end_at,
        )
        .group_by(_j.patient_id)
    )


def _new_jobs(cases: Subquery, bounds: Bounds) -> Select[Any]:
    return (
        select(_e.patient_id, func.count().label("n"))
        .where(
            _e.patient_id.in_(select(cases.c.id)),
            _e.kind == "new_employer",
            _e.status != "planned",
            _e.starts_on >= bounds.period.first,
            _e.starts_on <= bounds.as_of,
        )
        .group_by(_e.patient_id)
    )


def _diary(cases: Subquery, bounds: Bounds) -> Select[Any]:
    monday = bounds.last_week
    return select(_w.patient_id, _w.local_date, _w.worked_minutes, _w.day_type).where(
        _w.patient_id.in_(select(cases.c.id)),
        _w.local_date >= monday,
        _w.local_date <= monday + timedelta(days=6),
    )


async def load(session: AsyncSession, *, bounds: Bounds, therapist_id: uuid.UUID | None) -> Rows:
    """The report's rows: ten statements, whatever the number of patients."""
    cases = caseload(bounds, therapist_id)

    async def rows(statement: Select[Any]) -> list[Any]:
        return list((await session.execute(statement)).all())

    return Rows(
        care=await rows(_care(cases, bounds)),
        work=await rows(_work(cases)),
        checkins=await rows(_checkins(cases, bounds)),
        adherence=await rows(_adherence(cases, bounds)),
        boosters=await rows(_boosters(cases, bounds)),
        follow_ups=await rows(_follow_ups(cases, bounds)),
        measures=await rows(_measures(cases, bounds)),
        job_links=await rows(_job_links(cases, bounds)),
        new_jobs=await rows(_new_jobs(cases, bounds)),
        diary=await rows(_diary(cases, bounds)),
    )
