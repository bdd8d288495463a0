"""Answering follow-ups: the patient in the app, or a therapist who asked by phone, in a
meeting or by message; and the lists of follow-ups that are due."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Date, Select, bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_patient
from app.boosters.followups import COLUMNS, public
from app.boosters.models import follow_up_table
from app.boosters.queries import read_active_request, read_request
from app.boosters.requests import insert_open_request
from app.boosters.schemas import (
    BoosterRequestPublic,
    FollowUpAnswer,
    FollowUpAnswered,
    FollowUpContactAnswer,
    FollowUpPublic,
)
from app.care.access import PatientScope
from app.core.among import DIALECTS, among_bound, dialect_of
from app.core.errors import Conflict, NotFound
from app.core.time import local_today, utcnow

_f = follow_up_table.c


_DUE_BY_DAY = (_f.status == "pending", _f.due_on <= bindparam("day", type_=Date()))


def _due(patients: ColumnElement[bool]) -> Select[Any]:
    return (
        select(_f.patient_id, *COLUMNS).where(patients, *_DUE_BY_DAY).order_by(_f.due_on, _f.months)
    )


def due_probe(patient: Any) -> Any:
    """Column `follow_ups_due` of a patient id column (`patient`): whether `due_follow_ups`
    has rows for the patient by the bound `day` (the same conditions)."""
    return exists().where(_f.patient_id == patient, *_DUE_BY_DAY).label("follow_ups_due")


# Built once, for one patient ("today") and for many (a bound list).
_DUE_ONE = _due(_f.patient_id == bindparam("patient_id", type_=_f.patient_id.type))
_DUE_MANY = {d: _due(among_bound(_f.patient_id, "patient_ids", d)) for d in DIALECTS}
Contact = Literal["app", "phone", "meeting", "message"]
_HOW = {"app": "", "phone": " (by phone)", "meeting": " (in a meeting)", "message": " (by message)"}


async def list_own(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str, upcoming: bool
) -> list[FollowUpPublic]:
    """Unanswered follow-ups due by the patient's today (with `upcoming`, also those not yet
    due of a return that has begun)."""
    today = local_today(timezone)
    query = select(*COLUMNS).where(
        _f.patient_id == patient_id, _f.status == "pending", _f.full_return_on <= today
    )
    if not upcoming:
        query = query.where(_f.due_on <= today)
    rows = await session.execute(query.order_by(_f.due_on, _f.months))
    return [public(row) for row in rows]


def _follow_up_not_found() -> NotFound:
    return NotFound("Follow-up not found.", code="follow_up_not_found")


async def _answer(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    follow_up_id: uuid.UUID,
    data: FollowUpAnswer,
    contacted_by: Contact,
    actor_id: uuid.UUID,
    actor_role: str,
) -> FollowUpAnswered:
    """Close a due follow-up; `needs_booster` opens a request (or links the active one)."""
    timezone = await lock_patient(session, patient_id=patient_id)
    row = (
        await session.execute(
            select(*COLUMNS, _f.patient_id).where(
                _f.id == follow_up_id, _f.patient_id == patient_id
            )
        )
    ).first()
    if timezone is None or row is None or row.status == "cancelled":
        raise _follow_up_not_found()
    given = (data.still_working, data.needs_booster, data.note, contacted_by)
    if row.status == "answered":
        if (row.still_working, row.needs_booster, row.note, row.contacted_by) != given:
            raise Conflict("The follow-up was already answered.", code="follow_up_answered")
        linked = (
            await read_request(session, request_id=row.booster_request_id)
            if row.booster_request_id
            else None
        )
        return FollowUpAnswered(**public(row).model_dump(), booster_request=linked)
    if row.due_on > local_today(timezone):
        raise Conflict("The follow-up is not due yet.", code="follow_up_not_due")
    now = utcnow()
    booster: BoosterRequestPublic | None = None
    if data.needs_booster:
        work = "still working" if data.still_working else "not working"
        booster = await insert_open_request(
            session,
            patient_id=patient_id,
            source="follow_up",
            reason=f"{row.months}-month follow-up after full return to work"
            f"{_HOW[contacted_by]}: {work}, asks for a booster session",
            actor_id=actor_id,
            actor_role=actor_role,
            now=now,
        ) or await read_active_request(session, patient_id=patient_id)
    done = (
        await session.execute(
            update(follow_up_table)
            .where(_f.id == follow_up_id, _f.status == "pending")
            .values(
                status="answered",
                still_working=data.still_working,
                needs_booster=data.needs_booster,
                note=data.note,
                answered_at=now,
                answered_by=actor_id,
                answered_by_role=actor_role,
                contacted_by=contacted_by,
                booster_request_id=booster.id if booster else None,
            )
            .returning(*COLUMNS)
        )
    ).one()
    await session.commit()
    return FollowUpAnswered(**public(done).model_dump(), booster_request=booster)


async def answer(
    session: AsyncSession, *, patient_id: uuid.UUID, follow_up_id: uuid.UUID, data: FollowUpAnswer
) -> FollowUpAnswered:
    """The patient answers a due follow-up in the app."""
    return await _answer(
        session,
        patient_id=patient_id,
        follow_up_id=follow_up_id,
        data=data,
        contacted_by="app",
        actor_id=patient_id,
        actor_role="patient",
    )


async def answer_for_patient(
    session: AsyncSession,
    *,
    scope: PatientScope,
    follow_up_id: uuid.UUID,
    data: FollowUpContactAnswer,
) -> FollowUpAnswered:
    """A linked therapist records the answer the patient gave by phone, meeting or message."""
    return await _answer(
        session,
        patient_id=scope.patient_id,
        follow_up_id=follow_up_id,
        data=FollowUpAnswer(
            still_working=data.still_working, needs_booster=data.needs_booster, note=data.note
        ),
        contacted_by=data.contacted_by,
        actor_id=scope.therapist_id,
        actor_role="therapist",
    )


async def due_follow_ups(
    session: AsyncSession, *, today_by_patient: Mapping[uuid.UUID, date]
) -> dict[uuid.UUID, list[FollowUpPublic]]:
    """For many patients in one query: their unanswered follow-ups due by their local today."""
    result: dict[uuid.UUID, list[FollowUpPublic]] = {pid: [] for pid in today_by_patient}
    if not today_by_patient:
        return result
    ids = list(today_by_patient)
    day = max(today_by_patient.values())
    if len(ids) == 1:
        rows = await session.execute(_DUE_ONE, {"patient_id": ids[0], "day": day})
    else:
        rows = await session.execute(
            _DUE_MANY[dialect_of(session)], {"patient_ids": ids, "day": day}
        )
    for row in rows:
        if row.due_on <= today_by_patient[row.patient_id]:
            result[row.patient_id].append(public(row))
    return result
