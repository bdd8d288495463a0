"""The therapist's measure schedule per patient, and what is due for a patient today."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_patient
from app.care.access import PatientScope
from app.core.db import dialect_insert
from app.core.time import local_today, utcnow
from app.measures.models import measure_schedule_table
from app.measures.queries import due_measures
from app.measures.schemas import MeasureDue, ScheduleList, SchedulePublic, ScheduleWrite

_s = measure_schedule_table.c


async def read_schedule(session: AsyncSession, *, patient_id: uuid.UUID) -> ScheduleList:
    """The patient's scheduled measures (none by default)."""
    rows = await session.execute(
        select(_s.measure, _s.every_days, _s.starts_on, _s.updated_at)
        .where(_s.patient_id == patient_id)
        .order_by(_s.measure)
    )
    return ScheduleList(
        schedules=[SchedulePublic.model_validate(row, from_attributes=True) for row in rows]
    )


async def read_for_therapist(session: AsyncSession, *, scope: PatientScope) -> ScheduleList:
    """A linked patient's schedule."""
    return await read_schedule(session, patient_id=scope.patient_id)


async def replace_schedule(
    session: AsyncSession, *, scope: PatientScope, data: ScheduleWrite
) -> ScheduleList:
    """Make the patient's schedule exactly `data` (measures left out stop being due)."""
    # The patient's row first (app/accounts/locks.py): two replacements listing the measures in
    # different orders would otherwise lock the rows in different orders and deadlock.
    await lock_patient(session, patient_id=scope.patient_id)
    now = utcnow()
    keep = [entry.measure for entry in data.schedules]
    await session.execute(
        delete(measure_schedule_table).where(
            _s.patient_id == scope.patient_id, _s.measure.not_in(keep)
        )
    )
    for entry in data.schedules:
        values = {
            "every_days": entry.every_days,
            "starts_on": entry.starts_on,
            "updated_by": scope.therapist_id,
            "updated_at": now,
        }
        statement = dialect_insert(session, measure_schedule_table).values(
            id=uuid.uuid4(),
            patient_id=scope.patient_id,
            measure=entry.measure,
            created_at=now,
            **values,
        )
        await session.execute(
            statement.on_conflict_do_update(index_elements=["patient_id", "measure"], set_=values)
        )
    await session.commit()
    return await read_schedule(session, patient_id=scope.patient_id)


async def due_for_patient(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str
) -> list[MeasureDue]:
    """The patient's scheduled measures whose current occurrence is open, today (1 statement)."""
    today = local_today(timezone)
    return (await due_measures(session, today_by_patient={patient_id: today}))[patient_id]
