"""Dialogue meetings: prepared by the patient or the therapist, and their outcome recorded.

Writes take the patient's row lock first (app/accounts/locks.py): creating checks the id and
the communication plan's entries before inserting, and an update reads the meeting first.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_existing_patient
from app.accounts.models import user_table
from app.care.access import PatientScope
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.time import to_local_date, utcnow
from app.work.plan import get_plan
from app.workfocus.meeting_schemas import (
    Agenda,
    DialogueMeetingCreate,
    DialogueMeetingPublic,
    DialogueMeetingUpdate,
    Outcome,
)
from app.workfocus.models import communication_plan_table, dialogue_meeting_table
from app.workfocus.proposals import propose

_m = dialogue_meeting_table.c
_COLUMNS = (
    _m.id,
    _m.starts_at,
    _m.local_date,
    _m.participants,
    _m.agenda,
    _m.status,
    _m.outcome,
    _m.outcome_recorded_at,
    _m.next_status_check_on,
    _m.created_by_role,
    _m.created_at,
    _m.updated_at,
)


def _public(row: Any) -> DialogueMeetingPublic:
    return DialogueMeetingPublic.model_validate(row, from_attributes=True)


async def _with_proposals(
    session: AsyncSession, patient_id: uuid.UUID, timezone: str, rows: list[Any]
) -> list[DialogueMeetingPublic]:
    meetings = [_public(row) for row in rows]
    wanted = [
        (m, m.outcome.proposed_stage)
        for m in meetings
        if m.outcome is not None and m.outcome.proposed_stage is not None
    ]
    if wanted:
        plan = await get_plan(session, patient_id=patient_id, timezone=timezone)
        for meeting, stage in wanted:
            meeting.plan_proposal = propose(plan, stage)
    return meetings


def _hash(data: DialogueMeetingCreate) -> str:
    text = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def _check_agenda(session: AsyncSession, patient_id: uuid.UUID, agenda: Agenda) -> None:
    if not agenda.communication_entry_ids:
        return
    entries = await session.scalar(
        select(communication_plan_table.c.entries).where(
            communication_plan_table.c.patient_id == patient_id
        )
    )
    known = {str(entry["id"]) for entry in entries or []}
    unknown = [str(i) for i in agenda.communication_entry_ids if str(i) not in known]
    if unknown:
        await session.rollback()
        raise Unprocessable(
            f"The agenda names entries that are not in the communication plan: {unknown}.",
            code="unknown_communication_entry",
        )


async def create(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    author_id: uuid.UUID,
    author_role: str,
    data: DialogueMeetingCreate,
) -> tuple[DialogueMeetingPublic, bool]:
    """Store a new meeting (201); the same id and body again answers the stored one (200)."""
    timezone = await lock_existing_patient(session, patient_id=patient_id)
    body_hash = _hash(data)
    existing = (
        await session.execute(
            select(*_COLUMNS, _m.patient_id, _m.body_hash).where(_m.id == data.id)
        )
    ).first()
    if existing is not None:
        await session.rollback()
        if existing.patient_id != patient_id or existing.body_hash != body_hash:
            raise Conflict(
                "A dialogue meeting with this id exists with other content.",
                code="dialogue_meeting_id_conflict",
            )
        return (await _with_proposals(session, patient_id, timezone, [existing]))[0], False
    await _check_agenda(session, patient_id, data.agenda)
    now = utcnow()
    row = (
        await session.execute(
            insert(dialogue_meeting_table)
            .values(
                id=data.id,
                patient_id=patient_id,
                created_by=author_id,
                created_by_role=author_role,
                starts_at=data.starts_at,
                local_date=to_local_date(data.starts_at, timezone),
                participants=[p.model_dump(mode="json") for p in data.participants],
                agenda=data.agenda.model_dump(mode="json"),
                status="planned",
                body_hash=body_hash,
                created_at=now,
                updated_at=now,
            )
            .returning(*_COLUMNS)
        )
    ).one()
    await session.commit()
    return _public(row), True


def _check_outcome(outcome: Outcome, meeting: Any, starts_on: Any) -> None:
    if meeting.status == "cancelled":
        raise Conflict("The meeting was cancelled.", code="dialogue_meeting_cancelled")
    check = outcome.next_status_check_on
    if check is not None and check < starts_on:
        raise Unprocessable(
            "The status check cannot come before the meeting.", code="status_check_before_meeting"
        )
    stage = outcome.proposed_stage
    if stage is not None and 0 < stage.sick_leave_percent < 20:
        raise Unprocessable(
            "Sick leave is 0 % or 20-100 %; graded sick leave below 20 % does not exist.",
            code="sick_leave_percent_not_allowed",
        )


async def change(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    meeting_id: uuid.UUID,
    data: DialogueMeetingUpdate,
) -> DialogueMeetingPublic:
    """Change the meeting's plan, cancel or reinstate it, or record its outcome (held)."""
    timezone = await lock_existing_patient(session, patient_id=patient_id)
    meeting = (
        await session.execute(
            select(*_COLUMNS).where(_m.id == meeting_id, _m.patient_id == patient_id)
        )
    ).first()
    if meeting is None:
        await session.rollback()
        raise NotFound("Dialogue meeting not found.", code="dialogue_meeting_not_found")
    values: dict[str, Any] = {}
    if data.starts_at is not None:
        values["starts_at"] = data.starts_at
        values["local_date"] = to_local_date(data.starts_at, timezone)
    if data.participants is not None:
        values["participants"] = [p.model_dump(mode="json") for p in data.participants]
    try:
        if data.agenda is not None:
            await _check_agenda(session, patient_id, data.agenda)
            values["agenda"] = data.agenda.model_dump(mode="json")
        if data.status is not None:
            if meeting.status == "held" or (data.status == "cancelled" and data.outcome):
                raise Conflict(
                    "A meeting with an outcome was held; it cannot be cancelled or planned.",
                    code="dialogue_meeting_held",
                )
            values["status"] = data.status
        if data.outcome is not None:
            _check_outcome(data.outcome, meeting, values.get("local_date", meeting.local_date))
            values |= {
                "status": "held",
                "outcome": data.outcome.model_dump(mode="json"),
                "outcome_recorded_at": utcnow(),
                "next_status_check_on": data.outcome.next_status_check_on,
            }
    except (Conflict, Unprocessable):
        await session.rollback()
        raise
    values["updated_at"] = utcnow()
    row = (
        await session.execute(
            update(dialogue_meeting_table)
            .where(_m.id == meeting_id)
            .values(**values)
            .returning(*_COLUMNS)
        )
    ).one()
    await session.commit()
    return (await _with_proposals(session, patient_id, timezone, [row]))[0]


async def list_meetings(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str
) -> list[DialogueMeetingPublic]:
    """Every meeting of the patient, by start time."""
    rows = (
        await session.execute(
            select(*_COLUMNS).where(_m.patient_id == patient_id).order_by(_m.starts_at, _m.id)
        )
    ).all()
    return await _with_proposals(session, patient_id, timezone, list(rows))


async def patient_timezone(session: AsyncSession, *, patient_id: uuid.UUID) -> str:
    """The patient's IANA time zone (their local dates are counted in it)."""
    found = await session.scalar(select(user_table.c.timezone).where(user_table.c.id == patient_id))
    return found or "UTC"


async def list_for_staff(
    session: AsyncSession, *, scope: PatientScope
) -> list[DialogueMeetingPublic]:
    """A linked patient's meetings (dates in the patient's time zone)."""
    zone = await patient_timezone(session, patient_id=scope.patient_id)
    return await list_meetings(session, patient_id=scope.patient_id, timezone=zone)
