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

from sqlalchemy import Integer, Select, and_, case, exists, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import Subquery

from app.boosters.models import booster_request_table, follow_up_table
from app.care.models import care_link_table
from app.checkins.models import checkin_table
from app.checkins.summary import BASELINE_CHECKINS
from app.core.sqldays import day_number
from app.exercises.adherence_sql import adherence_totals
from app.jobsupport.models import employment_table, job_support_link_table
from app.measures.models import measure_response_table
from app.reports.periods import Period
from app.reports.queries_work import work_rows

_c = care_link_table.c
_b = booster_request_table.c
_f = follow_up_table.c
_k = checkin_table.c
_m = measure_response_table.c
_j = job_support_link_table.c
_e = employment_table.c
FOLLOW_UP_MONTHS = (3, 6)
# The memory each sort and hash of the report's statements may use before spilling to disk,
# for the report's transaction only (the server's default is 4 MB). At 5 000 patients x a
# quarter the adherence statement groups ~230 000 log days (41 MB in memory, else 17 batches
# through temporary files) and sorts them (22 MB, else an external merge of 10 MB on disk).
REPORT_WORK_MEM = "64MB"


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


def _checkins(cases: Subquery, bounds: Bounds) -> Select[Any]:
    """Per patient with check-ins by the end: their number counted up to `BASELINE_CHECKINS`
    (`n`: the figures only ask whether a patient has that many), the mean of the first and of
    the last `BASELINE_CHECKINS` (by local date, unique per patient). Correlated per patient,
    so each is an index range read of (patient_id, local_date) of at most seven entries -- the
    first seven read forwards, the last seven backwards -- whatever the patient's history,
    instead of ranking every check-in of the caseload (two sorts of ~155 000 rows at 5 000
    patients x a quarter) or counting all of them."""
    by_end = and_(_k.patient_id == cases.c.id, _k.local_date <= bounds.as_of)

    def seven(order: Any, name: str, column: Any = _k.score) -> Subquery:
        return (
            select(column)
            .where(by_end)
            .order_by(order)
            .limit(BASELINE_CHECKINS)
            .correlate(cases)
            .subquery(name)
        )

    def mean_of(chosen: Subquery) -> Any:
        return select(func.avg(chosen.c.score)).scalar_subquery()

    counted = seven(_k.local_date, "counted_checkins", _k.local_date)  # from the index alone
    return select(
        cases.c.id.label("patient_id"),
        select(func.count()).select_from(counted).scalar_subquery().label("n"),
        mean_of(seven(_k.local_date, "first_checkins")).label("baseline"),
        mean_of(seven(_k.local_date.desc(), "last_checkins")).label("latest"),
    ).where(exists().where(by_end))


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


async def load(session: AsyncSession, *, bounds: Bounds, therapist_id: uuid.UUID | None) -> Rows:
    """The report's rows: nine statements, whatever the number of patients (on PostgreSQL
    after a `SET LOCAL work_mem` for the report's transaction, see `REPORT_WORK_MEM`)."""
    cases = caseload(bounds, therapist_id)
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))

    async def rows(statement: Select[Any]) -> list[Any]:
        return list((await session.execute(statement)).all())

    return Rows(
        care=await rows(_care(cases, bounds)),
        work=await rows(work_rows(cases, bounds.last_week)),
        checkins=await rows(_checkins(cases, bounds)),
        adherence=await rows(_adherence(cases, bounds)),
        boosters=await rows(_boosters(cases, bounds)),
        follow_ups=await rows(_follow_ups(cases, bounds)),
        measures=await rows(_measures(cases, bounds)),
        job_links=await rows(_job_links(cases, bounds)),
        new_jobs=await rows(_new_jobs(cases, bounds)),
    )
