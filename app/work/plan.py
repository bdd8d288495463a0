"""The RTW plan: one current plan per patient, every saved version kept, edited by both sides."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.followups import schedule_follow_ups
from app.care.access import PatientScope
from app.core.errors import Conflict, Unprocessable
from app.core.time import utcnow
from app.work import grades
from app.work.models import rtw_plan_table, rtw_plan_version_table
from app.work.schemas import (
    DEFAULT_AGREED_HOURS,
    DEFAULT_WORK_DAYS,
    WEEKDAYS,
    PlanIn,
    PlanPublic,
    StagePublic,
)

_plan = rtw_plan_table.c
REVIEW_AFTER = timedelta(days=14)
MIN_GRADED_PERCENT = 20


def check_stages(stages: Sequence[grades.Stage]) -> None:
    """Refuse graded leave below 20 % and stages whose dates are not distinct and increasing."""
    for index, stage in enumerate(stages):
        if 0 < stage.sick_leave_percent < MIN_GRADED_PERCENT:
            raise Unprocessable(
                f"Stage {index + 1}: sick leave is 0 % or 20-100 %; graded sick leave below "
                "20 % does not exist.",
                code="sick_leave_percent_not_allowed",
            )
        if index and stage.starts_on == stages[index - 1].starts_on:
            raise Unprocessable(
                f"Stages {index} and {index + 1} start on the same day.",
                code="stage_dates_not_distinct",
            )
        if index and stage.starts_on < stages[index - 1].starts_on:
            raise Unprocessable(
                f"Stage {index + 1} starts before stage {index}; list stages in date order.",
                code="stages_not_in_order",
            )


def _stages(data: PlanIn) -> tuple[grades.Stage, ...]:
    return tuple(
        grades.Stage(s.starts_on, s.sick_leave_percent, s.planned_weekly_hours, s.adjustments)
        for s in data.stages
    )


def plan_of(body: dict[str, Any]) -> grades.Plan:
    """The arithmetic view of a stored plan body."""
    data = PlanIn.model_validate(body)
    return grades.Plan(
        agreed_weekly_hours=data.agreed_weekly_hours,
        work_days=frozenset(WEEKDAYS.index(day) + 1 for day in data.work_days),
        stages=_stages(data),
    )


def _public(patient_id: uuid.UUID, row: Any | None) -> PlanPublic:
    if row is None:
        return PlanPublic(
            patient_id=patient_id,
            version=0,
            agreed_weekly_hours=float(DEFAULT_AGREED_HOURS),
            work_days=list(DEFAULT_WORK_DAYS),
            stages=[],
            next_review_on=None,
            full_return_on=None,
            updated_at=None,
            updated_by=None,
            updated_by_role=None,
        )
    data = PlanIn.model_validate(row.body)
    stages = []
    for index, stage in enumerate(data.stages):
        following = data.stages[index + 1] if index + 1 < len(data.stages) else None
        weekly = grades.Stage(
            stage.starts_on, stage.sick_leave_percent, stage.planned_weekly_hours
        ).weekly_hours(data.agreed_weekly_hours)
        stages.append(
            StagePublic(
                starts_on=stage.starts_on,
                ends_on=following.starts_on - timedelta(days=1) if following else None,
                sick_leave_percent=stage.sick_leave_percent,
                planned_work_grade=100 - stage.sick_leave_percent,
                planned_weekly_hours=float(round(weekly, 2)),
                planned_weekly_hours_explicit=stage.planned_weekly_hours is not None,
                adjustments=stage.adjustments,
            )
        )
    return PlanPublic(
        patient_id=patient_id,
        version=row.version,
        agreed_weekly_hours=float(data.agreed_weekly_hours),
        work_days=data.work_days,
        stages=stages,
        next_review_on=data.next_review_on,
        full_return_on=row.full_return_on,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        updated_by_role=row.updated_by_role,
    )


class _Row(NamedTuple):
    """The saved values in the shape of a selected row."""

    version: int
    body: dict[str, Any]
    full_return_on: date | None
    updated_at: datetime
    updated_by: uuid.UUID
    updated_by_role: str


_COLUMNS = (
    _plan.version,
    _plan.body,
    _plan.full_return_on,
    _plan.updated_at,
    _plan.updated_by,
    _plan.updated_by_role,
)


async def get_plan(session: AsyncSession, *, patient_id: uuid.UUID) -> PlanPublic:
    """The patient's current plan, or the empty default plan (version 0) when none is saved."""
    row = (await session.execute(select(*_COLUMNS).where(_plan.patient_id == patient_id))).first()
    return _public(patient_id, row)


async def read_plan(session: AsyncSession, *, scope: PatientScope) -> PlanPublic:
    """A linked patient's current plan, for their therapist."""
    return await get_plan(session, patient_id=scope.patient_id)


async def load_plans(
    session: AsyncSession, *, patient_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, grades.Plan]:
    """The current plans of many patients in one statement (patients without one are absent)."""
    if not patient_ids:
        return {}
    rows = await session.execute(
        select(_plan.patient_id, _plan.body).where(_plan.patient_id.in_(list(patient_ids)))
    )
    return {row.patient_id: plan_of(row.body) for row in rows}


async def full_return_on(session: AsyncSession, *, patient_id: uuid.UUID) -> date | None:
    """The current plan's full-return date (past or future), or None."""
    found: date | None = await session.scalar(
        select(_plan.full_return_on).where(_plan.patient_id == patient_id)
    )
    return found


def _conflict(current: int) -> Conflict:
    return Conflict(
        "The plan was changed by someone else; reload it and apply your change again.",
        code="plan_version_conflict",
        extra={"current_version": current},
    )


async def save_plan(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    data: PlanIn,
    changed_by: uuid.UUID,
    changed_by_role: str,
) -> PlanPublic:
    """The one way a plan is saved: validate, bump the version, keep the old one, commit."""
    stages = _stages(data)
    check_stages(stages)
    if data.next_review_on is None:
        data = data.model_copy(update={"next_review_on": stages[-1].starts_on + REVIEW_AFTER})
    body = data.model_dump(mode="json", exclude={"version"})
    full_return = grades.full_return_date(stages)
    stored = (
        await session.execute(
            select(_plan.version, _plan.full_return_on).where(_plan.patient_id == patient_id)
        )
    ).first()
    current: int = stored.version if stored else 0
    previous_return = stored.full_return_on if stored else None
    if data.version is not None and data.version != current:
        raise _conflict(current)
    now, version = utcnow(), current + 1
    values = {
        "version": version,
        "body": body,
        "full_return_on": full_return,
        "updated_by": changed_by,
        "updated_by_role": changed_by_role,
        "updated_at": now,
    }
    try:
        if current == 0:
            await session.execute(insert(rtw_plan_table).values(patient_id=patient_id, **values))
        else:
            result = await session.execute(
                update(rtw_plan_table)
                .where(_plan.patient_id == patient_id, _plan.version == current)
                .values(**values)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise _conflict(current)
        await session.execute(
            insert(rtw_plan_version_table).values(
                id=uuid.uuid4(),
                patient_id=patient_id,
                version=version,
                body=body,
                full_return_on=full_return,
                changed_by=changed_by,
                changed_by_role=changed_by_role,
                changed_at=now,
            )
        )
        if full_return is not None or previous_return is not None:
            # Full return to work starts the 3- and 6-month follow-ups (and moving or dropping
            # the 0 % stage moves or cancels the unanswered ones); a plan that never had one
            # leaves a therapist's manual `rtw_completed_on` alone.
            await schedule_follow_ups(
                session, patient_id=patient_id, full_return_on=full_return, source="rtw_plan"
            )
        await session.commit()
    except (IntegrityError, Conflict) as exc:  # a concurrent save won the race
        await session.rollback()
        latest = await session.scalar(select(_plan.version).where(_plan.patient_id == patient_id))
        await session.rollback()
        raise _conflict(latest or current) from exc
    return _public(patient_id, _Row(version, body, full_return, now, changed_by, changed_by_role))
