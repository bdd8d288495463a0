"""Booster requests: opening them (patient, rule, follow-up). Listing is in queries.py, moving
through their states in transitions.py.

One active request per patient: while one is `open` or `scheduled`, no source (the patient,
the check-in rule, a follow-up answer) opens another. Every insert takes the patient's row
lock first (app/accounts/locks.py) and then looks for an active request, so two sources at
once cannot both pass the check; the unique index on open requests stays as a backstop.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_patient
from app.boosters.models import OPEN_REQUEST, booster_request_table
from app.boosters.queries import ACTIVE, COLUMNS, public
from app.boosters.schemas import BoosterRequestCreate, BoosterRequestPublic
from app.boosters.transitions import record_event
from app.core.errors import Conflict, TooManyRequests
from app.core.time import local_today, utcnow, zone

_r = booster_request_table.c
PATIENT_DAILY_LIMIT = 3


def _open(insert_: Any) -> Any:
    return (
        insert_(booster_request_table)
        # The index's own predicate as literal text: a bound `status = $n` matches the partial
        # index only while PostgreSQL plans with the values, not in a generic plan (a 500 on
        # the sixth run of the statement on one connection).
        .on_conflict_do_nothing(index_elements=["patient_id"], index_where=text(OPEN_REQUEST))
        .returning(*COLUMNS)
    )


# Built once (the check-in's rule opens requests on the hot path); values come as parameters.
_OPEN = {"postgresql": _open(postgresql.insert), "sqlite": _open(sqlite.insert)}
_ACTIVE = (
    select(_r.id, _r.status)
    .where(
        _r.patient_id == bindparam("patient_id", type_=_r.patient_id.type), _r.status.in_(ACTIVE)
    )
    .order_by(_r.created_at)
    .limit(1)
)


def open_conflict(active: tuple[uuid.UUID, str] | None) -> Conflict:
    """The 409 pointing at the request that is already open or scheduled."""
    request_id, status = active if active else (None, None)
    return Conflict(
        f"A booster request is already {status or 'open'}.",
        code="booster_request_open",
        extra={
            "open_request_id": str(request_id) if request_id else None,
            "request_status": status,
        },
    )


async def active_request(
    session: AsyncSession, *, patient_id: uuid.UUID
) -> tuple[uuid.UUID, str] | None:
    """The patient's open or scheduled request (id, status), if any."""
    row = (await session.execute(_ACTIVE, {"patient_id": patient_id})).first()
    return (row.id, row.status) if row else None


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
    """Open a request (no commit); None when one is already open or scheduled."""
    await lock_patient(session, patient_id=patient_id)
    if await active_request(session, patient_id=patient_id) is not None:
        return None
    return await _insert(
        session,
        patient_id=patient_id,
        source=source,
        reason=reason,
        preferred_times=preferred_times,
        actor_id=actor_id,
        actor_role=actor_role,
        now=now,
    )


async def _insert(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    source: str,
    reason: str | None,
    preferred_times: str | None,
    actor_id: uuid.UUID | None,
    actor_role: str,
    now: datetime,
) -> BoosterRequestPublic | None:
    """Insert an open request and its first event; the caller holds the lock and has checked
    that none is active (None if the backstop index still finds an open one)."""
    values = {
        "id": uuid.uuid4(),
        "patient_id": patient_id,
        "source": source,
        "status": "open",
        "reason": reason,
        "preferred_times": preferred_times,
        "created_at": now,
        "updated_at": now,
    }
    row = (await session.execute(_OPEN[session.get_bind().dialect.name], values)).first()
    if row is None:
        return None
    await record_event(
        session,
        request_id=row.id,
        from_status=None,
        to_status="open",
        actor_id=actor_id,
        actor_role=actor_role,
        at=now,
    )
    return public(row)


def _local_day_bounds(timezone: str, now: datetime) -> tuple[datetime, datetime]:
    today = local_today(timezone, now=now)
    start = datetime.combine(today, time(), tzinfo=zone(timezone))
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=zone(timezone))
    return start.astimezone(UTC), end.astimezone(UTC)


async def create_patient_request(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str, data: BoosterRequestCreate
) -> BoosterRequestPublic:
    """The patient asks for a booster: 409 while one is open or scheduled, 429 after 3 a day."""
    now = utcnow()
    start, end = _local_day_bounds(timezone, now)
    await lock_patient(session, patient_id=patient_id)
    active = await active_request(session, patient_id=patient_id)
    if active is not None:
        await session.rollback()
        raise open_conflict(active)
    today = await session.scalar(
        select(func.count()).where(
            _r.patient_id == patient_id,
            _r.source == "patient",
            _r.created_at >= start,
            _r.created_at < end,
        )
    )
    if (today or 0) >= PATIENT_DAILY_LIMIT:
        await session.rollback()
        raise TooManyRequests(
            f"At most {PATIENT_DAILY_LIMIT} booster requests a day.",
            code="booster_request_limit",
            retry_after=int((end - now).total_seconds()),
        )
    created = await _insert(
        session,
        patient_id=patient_id,
        source="patient",
        reason=data.reason,
        preferred_times=data.preferred_times,
        actor_id=patient_id,
        actor_role="patient",
        now=now,
    )
    if created is None:  # the backstop index found an open one after all
        active = await active_request(session, patient_id=patient_id)
        await session.rollback()
        raise open_conflict(active)
    await session.commit()
    return created
