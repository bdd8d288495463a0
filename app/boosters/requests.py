"""Booster requests: creating (patient, rule, follow-up), listing, moving through their states."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.models import booster_event_table, booster_request_table
from app.boosters.queries import COLUMNS, public, request_not_found
from app.boosters.schemas import BoosterRequestCreate, BoosterRequestPublic, BoosterRequestUpdate
from app.care.access import linked_patient_ids
from app.core.db import dialect_insert
from app.core.errors import Conflict, TooManyRequests
from app.core.time import local_today, utcnow, zone

_r = booster_request_table.c
PATIENT_DAILY_LIMIT = 3
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


def open_conflict(open_id: uuid.UUID | None) -> Conflict:
    """The 409 pointing at the request that is already open."""
    return Conflict(
        "A booster request is already open.",
        code="booster_request_open",
        extra={"open_request_id": str(open_id) if open_id else None},
    )


async def _record(
    session: AsyncSession,
    *,
    request_id: uuid.UUID,
    from_status: str | None,
    to_status: str,
    actor_id: uuid.UUID | None,
    actor_role: str,
    at: datetime,
) -> None:
    await session.execute(
        insert(booster_event_table).values(
            id=uuid.uuid4(),
            request_id=request_id,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor_id,
            actor_role=actor_role,
            at=at,
        )
    )


async def insert_open_request(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    source: str,
    reason: str | None,
    preferred_times: str | None = None,
    actor_id: uuid.UUID | None,
    actor_role: str,
    now: datetime,
) -> BoosterRequestPublic | None:
    """Open a request (no commit); None when one is already open (the unique index decides)."""
    stmt = (
        dialect_insert(session, booster_request_table)
        .values(
            id=uuid.uuid4(),
            patient_id=patient_id,
            source=source,
            status="open",
            reason=reason,
            preferred_times=preferred_times,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["patient_id"], index_where=_r.status == "open")
        .returning(*COLUMNS)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    await _record(
        session,
        request_id=row.id,
        from_status=None,
        to_status="open",
        actor_id=actor_id,
        actor_role=actor_role,
        at=now,
    )
    return public(row)


async def open_request_id(session: AsyncSession, *, patient_id: uuid.UUID) -> uuid.UUID | None:
    """The patient's open request, if any."""
    return await session.scalar(
        select(_r.id).where(_r.patient_id == patient_id, _r.status == "open")
    )


def _local_day_bounds(timezone: str, now: datetime) -> tuple[datetime, datetime]:
    today = local_today(timezone, now=now)
    start = datetime.combine(today, time(), tzinfo=zone(timezone))
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=zone(timezone))
    return start.astimezone(UTC), end.astimezone(UTC)


async def create_patient_request(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str, data: BoosterRequestCreate
) -> BoosterRequestPublic:
    """The patient asks for a booster: 409 while one is open, 429 after 3 in a local day."""
    now = utcnow()
    start, end = _local_day_bounds(timezone, now)
    row = (
        await session.execute(
            select(
                select(_r.id)
                .where(_r.patient_id == patient_id, _r.status == "open")
                .scalar_subquery()
                .label("open_id"),
                select(func.count())
                .where(
                    _r.patient_id == patient_id,
                    _r.source == "patient",
                    _r.created_at >= start,
                    _r.created_at < end,
                )
                .scalar_subquery()
                .label("today"),
            )
        )
    ).one()
    if row.open_id is not None:
        raise open_conflict(row.open_id)
    if row.today >= PATIENT_DAILY_LIMIT:
        raise TooManyRequests(
            f"At most {PATIENT_DAILY_LIMIT} booster requests a day.",
            code="booster_request_limit",
            retry_after=int((end - now).total_seconds()),
        )
    created = await insert_open_request(
        session,
        patient_id=patient_id,
        source="patient",
        reason=data.reason,
        preferred_times=data.preferred_times,
        actor_id=patient_id,
        actor_role="patient",
        now=now,
    )
    if created is None:  # a concurrent request won the race
        await session.rollback()
        open_id = await open_request_id(session, patient_id=patient_id)
        raise open_conflict(open_id)
    await session.commit()
    return created


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
    await _record(
        session,
        request_id=request_id,
        from_status=current,
        to_status=target,
        actor_id=actor_id,
        actor_role=actor_role,
        at=now,
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
