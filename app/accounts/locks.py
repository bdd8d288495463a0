"""The one lock order for a patient's rows: the patient's `users` row first.

Writes that touch several of a patient's tables (plan, follow-ups, booster requests,
assignments) take this row lock before anything else, so two of them for the same patient
run one after the other on PostgreSQL instead of deadlocking or tripping a unique index.
SQLite needs no lock: its transactions begin IMMEDIATE, which already serialises writers.
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.care.access import patient_not_found

_u = user_table.c
# Built once (the check-in's rule takes it on the hot path).
_LOCK = (
    select(_u.timezone).where(_u.id == bindparam("patient_id", type_=_u.id.type)).with_for_update()
)


async def lock_patient(session: AsyncSession, *, patient_id: uuid.UUID) -> str | None:
    """Lock the patient's row until the transaction ends; their time zone (None: no such user)."""
    found: str | None = await session.scalar(_LOCK, {"patient_id": patient_id})
    return found


async def lock_existing_patient(session: AsyncSession, *, patient_id: uuid.UUID) -> str:
    """`lock_patient` for a patient who must still exist: erased meanwhile is the patient 404."""
    found = await lock_patient(session, patient_id=patient_id)
    if found is None:
        raise patient_not_found()
    return found
