"""The RTW plan: one current plan per patient, every saved version kept, edited by both sides."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_existing_patient
from app.accounts.models import user_table
from app.boosters.followups import plan_return_changed
from app.care.access import PatientScope
from app.core.among import among
from app.core.errors import Conflict, Unprocessable
from app.core.schemas import STORED
from app.core.time import local_today, utcnow
from app.work import grades
from app.work.models import rtw_plan_table, rtw_plan_version_table
from app.work.reviews import (
    default_review_on,
    next_review_on,
    review_due,
    review_switches,
    stage_in_force,
)
from app.work.schemas import (
    DEFAULT_AGREED_HOURS,
    DEFAULT_WORK_DAYS,
    WEEKDAYS,
    PlanIn,
    PlanPublic,
    StagePublic,
)

_plan = rtw_plan_table.c
_u = user_table.c
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
        if stage.review_on is not None and stage.review_on < stage.starts_on:
            raise Unprocessable(
                f"Stage {index + 1} is reviewed before it starts.", code="review_before_stage"
            )


def _stages(data: PlanIn) -> tuple[grades.Stage, ...]:
    """The stages with every review date filled in (a plan-level `next_review_on` is the
    review date of the stage in force on that day, unless that stage names its own)."""
    stages = [
        grades.Stage(
            s.starts_on,
            s.sick_leave_percent,
            s.planned_weekly_hours,
            s.adjustments,
            s.review_on,
            s.reviewed_on,
        )
        for s in data.stages
    ]
    if data.next_review_on is not None:
        index = stage_in_force(stages, data.next_review_on)
        if index is not None and stages[index].review_on is None:
            stages[index] = replace(stages[index], review_on=data.next_review_on)
    # The constructor, not dataclasses.replace: this runs for every stage of every plan the
    # worklist reads (issue 12).
    return tuple(
        grades.Stage(
            s.starts_on,
            s.sick_leave_percent,
            s.planned_weekly_hours,
            s.adjustments,
            default_review_on(s),
            s.reviewed_on,
        )
        for s in stages
    )


def plan_of(body: dict[str, Any]) -> grades.Plan:
    """The arithmetic view of a stored plan body."""
    data = PlanIn.model_validate(body, context={STORED})
    return grades.Plan(
        agreed_weekly_hours=data.agreed_weekly_hours,
        work_days=frozenset(WEEKDAYS.index(day) + 1 for day in data.work_days),
        stages=_stages(data),
    )


def _public(patient_id: uuid.UUID, row: Any | None, today: date) -> PlanPublic:
    if row is None:
        return PlanPublic(
            patient_id=patient_id,
            version=0,
            agreed_weekly_hours=float(DEFAULT_AGREED_HOURS),
            work_days=list(DEFAULT_WORK_DAYS),
            stages=[],
            next_review_on=None,
            review_due=False,
            full_return_on=None,
            updated_at=None,
            updated_by=None,
            updated_by_role=None,
        )
    plan = plan_of(row.body)
    stages = []
    for index, stage in enumerate(plan.stages):
        assert stage.review_on is not None  # plan_of fills every review date in
        stages.append(
            StagePublic(
                starts_on=stage.starts_on,
                ends_on=plan.ends_on(index),
                sick_leave_percent=stage.sick_leave_percent,
                planned_work_grade=100 - stage.sick_leave_percent,
                planned_weekly_hours=float(round(stage.weekly_hours(plan.agreed_weekly_hours), 2)),
                planned_weekly_hours_explicit=stage.planned_weekly_hours is not None,
                adjustments=stage.adjustments,
                review_on=stage.review_on,
                reviewed_on=stage.reviewed_on,
            )
        )
    return PlanPublic(
        patient_id=patient_id,
        version=row.version,
        agreed_weekly_hours=float(plan.agreed_weekly_hours),
        work_days=[WEEKDAYS[day - 1] for day in sorted(plan.work_days)],
        stages=stages,
        next_review_on=next_review_on(plan, today=today),
        review_due=review_due(plan, today=today),
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


async def get_plan(session: AsyncSession, *, patient_id: uuid.UUID, timezone: str) -> PlanPublic:
    """The patient's current plan, or the empty default plan (version 0) when none is saved."""
    row = (await session.execute(select(*_COLUMNS).where(_plan.patient_id == patient_id))).first()
    return _public(patient_id, row, local_today(timezone))


async def read_plan(session: AsyncSession, *, scope: PatientScope) -> PlanPublic:
    """A linked patient's current plan, for their therapist (reviews in the patient's dates)."""
    timezone = await session.scalar(select(_u.timezone).where(_u.id == scope.patient_id))
    return await get_plan(session, patient_id=scope.patient_id, timezone=timezone or "UTC")


async def load_plans(
    session: AsyncSession, *, patient_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, grades.Plan]:
    """The current plans of many patients in one statement (patients without one are absent)."""
    if not patient_ids:
        return {}
    rows = await session.execute(
        select(_plan.patient_id, _plan.body).where(among(session, _plan.patient_id, patient_ids))
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
    """The one way a plan is saved: validate, bump the version, keep the old one, commit.

    The patient's row is locked first (app/accounts/locks.py), so concurrent saves, and a
    save racing a therapist's `rtw-completion`, run one after the other: a save without
    `version` always succeeds, and only a stale `version` answers `plan_version_conflict`.
    """
    stages = _stages(data)
    check_stages(stages)
    if data.next_review_on is not None and data.next_review_on < stages[0].starts_on:
        raise Unprocessable(
            "next_review_on lies before the plan's first stage.", code="review_before_plan"
        )
    body = data.model_dump(mode="json", exclude={"version"})
    body["next_review_on"] = None  # resolved into the stages' review dates
    for stage, stored_stage in zip(stages, body["stages"], strict=True):
        stored_stage["review_on"] = stage.review_on.isoformat() if stage.review_on else None
    full_return = grades.full_return_date(stages)
    timezone = await lock_existing_patient(session, patient_id=patient_id)
    stored = (
        await session.execute(
            select(_plan.version, _plan.full_return_on).where(_plan.patient_id == patient_id)
        )
    ).first()
    current: int = stored.version if stored else 0
    previous_return = stored.full_return_on if stored else None
    if data.version is not None and data.version != current:
        await session.rollback()
        raise _conflict(current)
    now, version = utcnow(), current + 1
    values = {
        "version": version,
        "body": body,
        "full_return_on": full_return,
        # what the worklist reads for the review flag, from the body as every reader sees it
        "review_switches": review_switches(plan_of(body)),
        "updated_by": changed_by,
        "updated_by_role": changed_by_role,
        "updated_at": now,
    }
    if current == 0:
        await session.execute(insert(rtw_plan_table).values(patient_id=patient_id, **values))
    else:
        await session.execute(
            update(rtw_plan_table).where(_plan.patient_id == patient_id).values(**values)
        )
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
        # The plan's full-return date feeds the 3- and 6-month follow-ups (a therapist's
        # recorded return, when there is one, wins; see app/boosters/followups.py).
        await plan_return_changed(session, patient_id=patient_id, plan_return_on=full_return)
    await session.commit()
    row = _Row(version, body, full_return, now, changed_by, changed_by_role)
    return _public(patient_id, row, local_today(timezone))
