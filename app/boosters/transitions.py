"""Moving a booster request through its states: the legal moves, the patient withdrawing a
request and a therapist answering one. Every move, and every opening (app/boosters/requests.py),
is one row of the request's event log.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.models import booster_event_table, booster_request_table
from app.boosters.queries import COLUMNS, public, request_not_found
from app.boosters.schemas import BoosterRequestPublic, BoosterRequestUpdate
from app.care.access import linked_patient_ids
from app.core.errors import Conflict
from app.core.time import utcnow
from app.reminders.rules import BOOSTER_SCHEDULED
from app.reminders.service import enqueue_therapist_message

_r = booster_request_table.c
# Every legal move; anything else is a 409.
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("open", "scheduled"),
        ("open", "declined"),
        ("open", "cancelled"),
        ("scheduled", "completed"),
        ("scheduled", "cancelled"),
    }
)
RESOLVED = frozenset({"completed", "declined", "cancelled"})
_EVENT = insert(booster_event_table)


async def record_event(
    session: AsyncSession,
    *,
    request_id: uuid.UUID,
    from_status: str | None,
    to_status: str,
    actor_id: uuid.UUID | None,
    actor_role: str,
    at: datetime,
) -> None:
    """One row of the event log: a request moved from `from_status` (None: opened) on."""
    await session.execute(
        _EVENT,
        {
            "id": uuid.uuid4(),
            "request_id": request_id,
            "from_status": from_status,
            "to_status": to_status,
            "actor_id": actor_id,
            "actor_role": actor_role,
            "at": at,
        },
    )


async def _move(
    session: AsyncSession,
    *,
    request_id: uuid.UUID,
    current: str,
    target: str,
    actor_id: uuid.UUID,
    actor_role: str,
    values: dict[str, Any],
) -> BoosterRequestPublic:
    if (current, target) not in TRANSITIONS:
        raise Conflict(f"A {current} request cannot become {target}.", code="illegal_transition")
    now = utcnow()
    stmt = (
        update(booster_request_table)
        .where(_r.id == request_id, _r.status == current)
        .values(status=target, updated_at=now, **values)
        .returning(*COLUMNS)
    )
    if target in RESOLVED:
        stmt = stmt.values(resolved_at=now)
    row = (await session.execute(stmt)).first()
    if row is None:  # someone else moved it first
        await session.rollback()
        raise Conflict("The request changed meanwhile; reload it.", code="illegal_transition")
    await record_event(
        session,
        request_id=request_id,
        from_status=current,
        to_status=target,
        actor_id=actor_id,
        actor_role=actor_role,
        at=now,
    )
    if target == "scheduled":
        await enqueue_therapist_message(
            session, patient_id=row.patient_id, kind=BOOSTER_SCHEDULED, thing=request_id
        )
    await session.commit()
    return public(row)


async def cancel_patient_request(
    session: AsyncSession, *, patient_id: uuid.UUID, request_id: uuid.UUID
) -> BoosterRequestPublic:
    """The patient withdraws their own open or scheduled request."""
    current = await session.scalar(
        select(_r.status).where(_r.id == request_id, _r.patient_id == patient_id)
    )
    if current is None:
        raise request_not_found()
    return await _move(
        session,
        request_id=request_id,
        current=current,
        target="cancelled",
        actor_id=patient_id,
        actor_role="patient",
        values={},
    )


async def update_request(
    session: AsyncSession,
    *,
    therapist_id: uuid.UUID,
    request_id: uuid.UUID,
    data: BoosterRequestUpdate,
) -> BoosterRequestPublic:
    """A therapist schedules, declines, completes or cancels a request of a linked patient."""
    # Access and state in one locking read: no state is named for a request the caller may not
    # see, and nothing can move the request between this check and the transition.
    current = await session.scalar(
        select(_r.status)
        .where(_r.id == request_id, _r.patient_id.in_(linked_patient_ids(therapist_id)))
        .with_for_update()
    )
    if current is None:
        raise request_not_found()
    values: dict[str, Any] = {}
    if data.scheduled_for is not None:
        values["scheduled_for"] = data.scheduled_for
    if data.response is not None:
        values["response"] = data.response
    return await _move(
        session,
        request_id=request_id,
        current=current,
        target=data.status,
        actor_id=therapist_id,
        actor_role="therapist",
        values=values,
    )
