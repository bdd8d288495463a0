"""Employment records; a new employer's first day schedules follow-ups at +3 and +6 months.

The follow-ups are the same machinery as after a full return to work
(app/boosters/followups.py), one series per new job (`employment_id`, reason `new_job`): the
patient answers them in the app, the therapist can record a phone follow-up, and "need a
booster" creates a request. The write takes the patient's row lock first (the lock order of
app/accounts/locks.py), as every follow-up write does.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_existing_patient
from app.boosters.followups import COLUMNS as FOLLOW_UP_COLUMNS
from app.boosters.followups import public as follow_up_public
from app.boosters.followups import schedule_follow_ups
from app.boosters.models import follow_up_table
from app.boosters.schemas import FollowUpPublic
from app.core.errors import NotFound, Unprocessable
from app.core.time import local_today, utcnow
from app.jobsupport.models import employment_table
from app.jobsupport.rules import default_status
from app.jobsupport.schemas import EmploymentCreate, EmploymentPublic, EmploymentUpdate

_e = employment_table.c
_f = follow_up_table.c
_COLUMNS = [_e[name] for name in EmploymentPublic.model_fields if name != "follow_ups"]


async def _follow_ups(
    session: AsyncSession, employment_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[FollowUpPublic]]:
    found: dict[uuid.UUID, list[FollowUpPublic]] = defaultdict(list)
    if employment_ids:
        rows = await session.execute(
            select(_f.employment_id, *FOLLOW_UP_COLUMNS)
            .where(_f.employment_id.in_(employment_ids), _f.status != "cancelled")
            .order_by(_f.due_on, _f.months)
        )
        for row in rows:
            found[row.employment_id].append(follow_up_public(row))
    return found


async def _public(session: AsyncSession, *where: Any) -> list[EmploymentPublic]:
    rows = (
        await session.execute(
            select(*_COLUMNS).where(*where).order_by(_e.starts_on.desc(), _e.created_at.desc())
        )
    ).all()
    follow_ups = await _follow_ups(session, [row.id for row in rows])
    return [EmploymentPublic(**row._mapping, follow_ups=follow_ups.get(row.id, [])) for row in rows]


async def list_employment(
    session: AsyncSession, *, patient_id: uuid.UUID
) -> list[EmploymentPublic]:
    """The patient's jobs, latest start first, each with its follow-ups."""
    return await _public(session, _e.patient_id == patient_id)


async def record_employment(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    data: EmploymentCreate,
    recorded_by: uuid.UUID,
    recorded_by_role: str,
) -> EmploymentPublic:
    """Record a job (therapist, counsellor or the patient); a new employer's follow-ups are
    scheduled in the same transaction."""
    timezone = await lock_existing_patient(session, patient_id=patient_id)
    employment_id = uuid.uuid4()
    status = data.status or default_status(
        starts_on=data.starts_on, ends_on=data.ends_on, today=local_today(timezone)
    )
    await session.execute(
        employment_table.insert().values(
            id=employment_id,
            patient_id=patient_id,
            employer=data.employer,
            role=data.role,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            hours_per_week=data.hours_per_week,
            kind=data.kind,
            status=status,
            recorded_by=recorded_by,
            recorded_by_role=recorded_by_role,
            created_at=utcnow(),
        )
    )
    if data.kind == "new_employer":
        await schedule_follow_ups(
            session,
            patient_id=patient_id,
            full_return_on=data.starts_on,
            source="employment",
            employment_id=employment_id,
        )
    await session.commit()
    return (await _public(session, _e.id == employment_id))[0]


def employment_not_found() -> NotFound:
    """The single 404 for a job that is not this patient's or does not exist."""
    return NotFound("Employment record not found.", code="employment_not_found")


async def update_employment(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    employment_id: uuid.UUID,
    data: EmploymentUpdate,
) -> EmploymentPublic:
    """Apply the fields sent; a new employer's follow-ups follow its first day (moved, or
    cancelled when the job is no longer a new employer), in the same transaction."""
    timezone = await lock_existing_patient(session, patient_id=patient_id)
    row = (
        await session.execute(
            select(_e.starts_on, _e.ends_on, _e.kind).where(
                _e.id == employment_id, _e.patient_id == patient_id
            )
        )
    ).first()
    if row is None:
        await session.rollback()
        raise employment_not_found()
    changes = data.model_dump(exclude_unset=True)
    for required in ("employer", "starts_on", "kind"):
        if required in changes and changes[required] is None:
            await session.rollback()
            raise Unprocessable(f"`{required}` cannot be emptied.", code="employment_invalid")
    starts_on = changes.get("starts_on", row.starts_on)
    ends_on = changes.get("ends_on", row.ends_on)
    kind = changes.get("kind", row.kind)
    if ends_on is not None and ends_on < starts_on:
        await session.rollback()
        raise Unprocessable("ends_on must not be before starts_on.", code="employment_invalid")
    if "status" in changes and changes["status"] is None:
        changes["status"] = default_status(
            starts_on=starts_on, ends_on=ends_on, today=local_today(timezone)
        )
    if changes:
        await session.execute(
            employment_table.update().where(_e.id == employment_id).values(**changes)
        )
    await schedule_follow_ups(
        session,
        patient_id=patient_id,
        full_return_on=starts_on if kind == "new_employer" else None,
        source="employment",
        employment_id=employment_id,
    )
    await session.commit()
    return (await _public(session, _e.id == employment_id))[0]
