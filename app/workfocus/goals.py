"""Work goals: set by the patient, or proposed by the therapist and accepted by the patient.

Writes take the patient's row lock first (app/accounts/locks.py), because each reads the goal
(or the id) before it writes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_existing_patient
from app.care.access import PatientScope
from app.core.errors import Conflict, NotFound
from app.core.time import local_today, utcnow
from app.workfocus.goal_schemas import GoalCreate, GoalPublic, GoalUpdate, StepIn
from app.workfocus.models import work_goal_table

_g = work_goal_table.c
_COLUMNS = (
    _g.id,
    _g.title,
    _g.why,
    _g.steps,
    _g.target_on,
    _g.status,
    _g.reached_on,
    _g.created_by_role,
    _g.created_at,
    _g.updated_at,
)


def _public(row: Any) -> GoalPublic:
    return GoalPublic.model_validate(row, from_attributes=True)


def merge_steps(new: list[StepIn], stored: list[dict[str, Any]], *, today: date) -> list[Any]:
    """The steps to store: `done_on` kept for a step still done, today for a newly done one."""
    before = {str(step["id"]): step for step in stored}
    merged = []
    for step in new:
        old = before.get(str(step.id))
        done_on = None
        if step.done:
            kept = old.get("done_on") if old and old.get("done") else None
            done_on = kept or today.isoformat()
        merged.append(step.model_dump(mode="json") | {"done_on": done_on})
    return merged


def _hash(data: GoalCreate) -> str:
    text = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def create(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    author_id: uuid.UUID,
    author_role: str,
    data: GoalCreate,
) -> tuple[GoalPublic, bool]:
    """Store a new goal (201; a therapist's is `proposed`); the same id and body again answers
    the stored goal (200), another body or patient 409."""
    timezone = await lock_existing_patient(session, patient_id=patient_id)
    body_hash = _hash(data)
    existing = (
        await session.execute(
            select(*_COLUMNS, _g.patient_id, _g.body_hash).where(_g.id == data.id)
        )
    ).first()
    if existing is not None:
        await session.rollback()
        if existing.patient_id != patient_id or existing.body_hash != body_hash:
            raise Conflict(
                "A goal with this id exists with other content.", code="goal_id_conflict"
            )
        return _public(existing), False
    today, now = local_today(timezone), utcnow()
    status = "proposed" if author_role == "therapist" else data.status
    row = (
        await session.execute(
            insert(work_goal_table)
            .values(
                id=data.id,
                patient_id=patient_id,
                created_by=author_id,
                created_by_role=author_role,
                title=data.title,
                why=data.why,
                target_on=data.target_on,
                status=status,
                steps=merge_steps(data.steps, [], today=today),
                reached_on=today if status == "reached" else None,
                body_hash=body_hash,
                created_at=now,
                updated_at=now,
            )
            .returning(*_COLUMNS)
        )
    ).one()
    await session.commit()
    return _public(row), True


async def change(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    goal_id: uuid.UUID,
    data: GoalUpdate,
    by_therapist: bool,
) -> GoalPublic:
    """Change a goal; only the patient accepts a proposed one (status `active`)."""
    timezone = await lock_existing_patient(session, patient_id=patient_id)
    goal = (
        await session.execute(
            select(*_COLUMNS).where(_g.id == goal_id, _g.patient_id == patient_id)
        )
    ).first()
    if goal is None:
        await session.rollback()
        raise NotFound("Goal not found.", code="goal_not_found")
    if by_therapist and goal.status == "proposed" and data.status in ("active", "reached"):
        await session.rollback()
        raise Conflict("Only the patient can accept a proposed goal.", code="goal_not_accepted")
    today = local_today(timezone)
    values: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"steps", "status"})
    if data.steps is not None:
        values["steps"] = merge_steps(data.steps, goal.steps, today=today)
    if data.status is not None and data.status != goal.status:
        values["status"] = data.status
        values["reached_on"] = today if data.status == "reached" else None
    values["updated_at"] = utcnow()
    row = (
        await session.execute(
            update(work_goal_table).where(_g.id == goal_id).values(**values).returning(*_COLUMNS)
        )
    ).one()
    await session.commit()
    return _public(row)


async def list_goals(session: AsyncSession, *, patient_id: uuid.UUID) -> list[GoalPublic]:
    """Every goal of the patient, oldest first."""
    rows = await session.execute(
        select(*_COLUMNS).where(_g.patient_id == patient_id).order_by(_g.created_at, _g.id)
    )
    return [_public(row) for row in rows]


async def list_for_staff(session: AsyncSession, *, scope: PatientScope) -> list[GoalPublic]:
    """A linked patient's goals."""
    return await list_goals(session, patient_id=scope.patient_id)
