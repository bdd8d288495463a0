"""Monthly joint meetings of patient, therapist and counsellor, and when one is due."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.followups import add_months
from app.care.access import patient_not_found
from app.core.among import among
from app.core.errors import Unprocessable
from app.core.time import local_today, to_local_date, utcnow
from app.jobsupport.models import job_support_link_table, joint_meeting_table
from app.jobsupport.rules import joint_meeting_due
from app.jobsupport.schemas import JointMeetingCreate, JointMeetingPublic

_m = joint_meeting_table.c
_js = job_support_link_table.c
_COLUMNS = [_m[name] for name in JointMeetingPublic.model_fields]


async def list_meetings(
    session: AsyncSession, *, patient_id: uuid.UUID
) -> list[JointMeetingPublic]:
    """The patient's joint meetings, latest first."""
    rows = await session.execute(
        select(*_COLUMNS)
        .where(_m.patient_id == patient_id)
        .order_by(_m.held_on.desc(), _m.created_at.desc())
    )
    return [JointMeetingPublic.model_validate(row, from_attributes=True) for row in rows]


async def record_meeting(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    data: JointMeetingCreate,
    recorded_by: uuid.UUID,
    recorded_by_role: str,
) -> JointMeetingPublic:
    """Record a meeting that was held (not one in the future: 422 `held_on_in_future`); the
    next one defaults to a month later."""
    timezone = await session.scalar(
        select(user_table.c.timezone).where(user_table.c.id == patient_id)
    )
    if timezone is None:
        raise patient_not_found()
    if data.held_on > local_today(timezone):
        raise Unprocessable(
            "Record a joint meeting once it has been held; book the next one in `next_on`.",
            code="held_on_in_future",
        )
    meeting_id = uuid.uuid4()
    await session.execute(
        joint_meeting_table.insert().values(
            id=meeting_id,
            patient_id=patient_id,
            held_on=data.held_on,
            attended=list(data.attended),
            progress=data.progress,
            decisions=data.decisions,
            next_on=data.next_on or add_months(data.held_on, 1),
            recorded_by=recorded_by,
            recorded_by_role=recorded_by_role,
            created_at=utcnow(),
        )
    )
    await session.commit()
    row = (await session.execute(select(*_COLUMNS).where(_m.id == meeting_id))).one()
    return JointMeetingPublic.model_validate(row, from_attributes=True)


async def latest_meetings(
    session: AsyncSession, *, patient_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    """Each patient's latest joint meeting (`held_on`, `next_on`), in one statement."""
    if not patient_ids:
        return {}
    ranked = (
        select(
            _m.patient_id,
            _m.held_on,
            _m.next_on,
            func.row_number()
            .over(partition_by=_m.patient_id, order_by=(_m.held_on.desc(), _m.created_at.desc()))
            .label("rank"),
        )
        .where(among(session, _m.patient_id, patient_ids))
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.patient_id, ranked.c.held_on, ranked.c.next_on).where(ranked.c.rank == 1)
    )
    return {row.patient_id: row for row in rows}


async def joint_meetings_due(
    session: AsyncSession, *, today_by_patient: Mapping[uuid.UUID, date]
) -> set[uuid.UUID]:
    """Of these patients, those with an accepted job counsellor whose monthly joint meeting
    needs booking (`rules.joint_meeting_due`), in two statements whatever their number.

    For the therapist's worklist (flag `joint_meeting_due`) as well as the counsellor's; the
    acceptance day is the patient's local date, as on the counsellor's worklist."""
    ids = list(today_by_patient)
    if not ids:
        return set()
    accepted = {
        row.patient_id: to_local_date(row.responded_at or utcnow(), row.timezone)
        for row in await session.execute(
            select(_js.patient_id, _js.responded_at, user_table.c.timezone)
            .join_from(job_support_link_table, user_table, user_table.c.id == _js.patient_id)
            .where(among(session, _js.patient_id, ids), _js.status == "accepted")
        )
    }
    latest = await latest_meetings(session, patient_ids=list(accepted))
    due: set[uuid.UUID] = set()
    for patient_id, accepted_on in accepted.items():
        last = latest.get(patient_id)
        if joint_meeting_due(
            last_held_on=None if last is None else last.held_on,
            next_on=None if last is None else last.next_on,
            accepted_on=accepted_on,
            today=today_by_patient[patient_id],
        ):
            due.add(patient_id)
    return due
