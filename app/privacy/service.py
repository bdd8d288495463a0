"""Consents and the access log the patient reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.core.pagination import encode_keyset, older_than
from app.core.time import utcnow
from app.privacy.models import access_log_table, consent_table
from app.privacy.schemas import AccessLogPublic, ConsentHistory, ConsentPublic, ConsentUpdate

_log = access_log_table.c
_con = consent_table.c


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """A read to be logged: filled in by the request's audit step once the answer is known."""

    patient_id: uuid.UUID
    reader_id: uuid.UUID
    reader_role: str
    reader_name: str
    kind: str
    records: int
    reason: str = "care_link"


async def append_access(
    connection: AsyncConnection,
    *,
    entries: Sequence[AccessRecord],
    request_id: str,
    client_request_id: str | None = None,
) -> None:
    """Append access-log rows (one statement); there is deliberately no update or delete.

    The reader's name is stored as it is now, so a later rename does not rewrite history;
    `request_id` is ours, the client's X-Request-ID only sits beside it."""
    if not entries:
        return
    now = utcnow()
    await connection.execute(
        insert(access_log_table),
        [
            {
                "id": uuid.uuid4(),
                "patient_id": entry.patient_id,
                "reader_id": entry.reader_id,
                "reader_role": entry.reader_role,
                "reader_name": entry.reader_name,
                "kind": entry.kind,
                "records": entry.records,
                "reason": entry.reason,
                "request_id": request_id,
                "client_request_id": client_request_id,
                "created_at": now,
            }
            for entry in entries
        ],
    )


async def list_access(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    reader_id: uuid.UUID | None = None,
) -> tuple[list[AccessLogPublic], str | None]:
    """The patient's access log, newest first, keyset-paginated; with `reader_id` only that
    reader's entries (the console shows a therapist what the patient sees of them)."""
    query = select(
        _log.id,
        _log.reader_id,
        _log.reader_name,
        _log.reader_role,
        _log.kind,
        _log.reason,
        _log.records,
        _log.created_at,
    ).where(_log.patient_id == patient_id)
    if reader_id is not None:
        query = query.where(_log.reader_id == reader_id)
    if cursor:
        query = query.where(older_than(_log.created_at, _log.id, cursor))
    rows = (
        await session.execute(
            query.order_by(_log.created_at.desc(), _log.id.desc()).limit(limit + 1)
        )
    ).all()
    items = [
        AccessLogPublic(
            id=row.id,
            reader_id=row.reader_id,
            reader_name=row.reader_name,
            reader_role=row.reader_role,
            kind=row.kind,
            reason=row.reason,
            records=row.records,
            created_at=row.created_at,
        )
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_keyset(last.created_at, last.id)
    return items, next_cursor


_CONSENT_COLUMNS = (
    _con.employer_contact,
    _con.employer_contact_note,
    _con.employer_contact_purposes,
    _con.employer_contact_purpose_other,
    _con.employer_contact_person,
    _con.created_at,
)


def _consent(row: Any | None) -> ConsentPublic:
    if row is None:
        return ConsentPublic(
            employer_contact=False,
            employer_contact_note=None,
            employer_contact_purposes=[],
            employer_contact_purpose_other=None,
            employer_contact_person=None,
            updated_at=None,
        )
    return ConsentPublic(
        employer_contact=row.employer_contact,
        employer_contact_note=row.employer_contact_note,
        employer_contact_purposes=row.employer_contact_purposes or [],
        employer_contact_purpose_other=row.employer_contact_purpose_other,
        employer_contact_person=row.employer_contact_person,
        updated_at=row.created_at,
    )


async def current_consent(session: AsyncSession, *, patient_id: uuid.UUID) -> ConsentPublic:
    """The consent in force (no contact with the employer until the patient says yes)."""
    row = (
        await session.execute(
            select(*_CONSENT_COLUMNS)
            .where(_con.patient_id == patient_id)
            .order_by(_con.created_at.desc(), _con.id.desc())
            .limit(1)
        )
    ).first()
    return _consent(row)


async def consent_history(session: AsyncSession, *, patient_id: uuid.UUID) -> ConsentHistory:
    """The consent in force and every earlier answer, newest first."""
    rows = (
        await session.execute(
            select(*_CONSENT_COLUMNS)
            .where(_con.patient_id == patient_id)
            .order_by(_con.created_at.desc(), _con.id.desc())
        )
    ).all()
    history = [_consent(row) for row in rows]
    current = history[0] if history else _consent(None)
    return ConsentHistory(**current.model_dump(), history=history)


async def set_consent(
    session: AsyncSession, *, patient_id: uuid.UUID, data: ConsentUpdate
) -> ConsentHistory:
    """Record a new answer; earlier answers stay as history."""
    await session.execute(
        insert(consent_table).values(
            id=uuid.uuid4(),
            patient_id=patient_id,
            employer_contact=data.employer_contact,
            employer_contact_note=data.employer_contact_note,
            employer_contact_purposes=list(data.employer_contact_purposes),
            employer_contact_purpose_other=data.employer_contact_purpose_other,
            employer_contact_person=data.employer_contact_person,
            created_at=utcnow(),
        )
    )
    await session.commit()
    return await consent_history(session, patient_id=patient_id)
