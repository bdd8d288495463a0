"""Idempotency-Key for creating POSTs (after the IETF httpapi draft).

The key row is inserted in the request's own transaction, before the service runs, so it
commits together with whatever the request creates (or vanishes with it on an error). Once the
answer is known it is stored on the row; a later request with the same key and the same body
gets that answer again, one with another body a 422, and one arriving while the first is still
being processed a 409. Keys belong to one caller and are forgotten after 7 days.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, Unprocessable
from app.core.time import utcnow
from app.idempotency.models import idempotency_key_table

KEY_LIFETIME = timedelta(days=7)
_ik = idempotency_key_table.c


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """What the first request with this key was answered."""

    status_code: int
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    """A digest of what was asked, to tell a true retry from a reused key."""
    digest = hashlib.sha256()
    for part in (method.encode(), b" ", path.encode(), b"\n", body):
        digest.update(part)
    return digest.hexdigest()


async def claim(
    session: AsyncSession, *, owner: str, key: str, request_fingerprint: str
) -> uuid.UUID | StoredAnswer:
    """Reserve the key for this request (uncommitted), or return the stored answer."""
    now = utcnow()
    await session.execute(
        delete(idempotency_key_table).where(
            and_(_ik.owner == owner, _ik.key == key, _ik.created_at < now - KEY_LIFETIME)
        )
    )
    row = (
        await session.execute(
            select(_ik.fingerprint, _ik.status_code, _ik.response_body).where(
                _ik.owner == owner, _ik.key == key
            )
        )
    ).first()
    if row is not None:
        return _answer_for(row.fingerprint, row.status_code, row.response_body, request_fingerprint)
    row_id = uuid.uuid4()
    try:
        async with session.begin_nested():
            await session.execute(
                insert(idempotency_key_table).values(
                    id=row_id, owner=owner, key=key, fingerprint=request_fingerprint, created_at=now
                )
            )
    except IntegrityError as exc:  # the same key is being processed right now
        raise _in_progress() from exc
    return row_id


def _answer_for(
    stored_fingerprint: str, status: int | None, body: str | None, request_fingerprint: str
) -> StoredAnswer:
    if stored_fingerprint != request_fingerprint:
        raise Unprocessable(
            "This Idempotency-Key was used for a different request.",
            code="idempotency_key_reused",
        )
    if status is None or body is None:
        raise _in_progress()
    return StoredAnswer(status_code=status, body=body)


def _in_progress() -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        code="idempotency_in_progress",
    )


async def record_answer(
    session: AsyncSession, *, row_id: uuid.UUID, status_code: int, body: str
) -> None:
    """Store the answer on the key row (which committed with the request's data)."""
    await session.execute(
        update(idempotency_key_table)
        .where(_ik.id == row_id)
        .values(status_code=status_code, response_body=body, completed_at=utcnow())
    )
    await session.commit()


async def release(session: AsyncSession, *, row_id: uuid.UUID) -> None:
    """Forget a claim whose request failed (something may have committed it on the way)."""
    await session.rollback()  # never commit what the failed request left pending
    await session.execute(
        delete(idempotency_key_table).where(_ik.id == row_id, _ik.status_code.is_(None))
    )
    await session.commit()
