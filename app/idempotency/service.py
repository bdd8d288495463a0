"""Idempotency-Key for creating POSTs (after the IETF httpapi draft).

The key row is inserted in the request's own transaction before the service runs; from then on
the request's commits are held (`AppSession.hold_commits`), and the answer is written onto the
row just before the one real commit. So the data, the key and its answer become visible
together or not at all: a worker killed or a database lost half-way leaves no key without an
answer. A later request with the same key and the same body gets that answer again, one with
another body a 422, and one arriving while the first is still running waits for it (the unique
index holds it back) and then gets its answer. A key older than its lifetime starts afresh.

What the store keeps is no secret: the fingerprint is an HMAC, under a key derived from the
secret key, of the body without its secret fields; answers that carry a one-time secret (an
invitation code) are encrypted and readable for `SEALED_ANSWER_LIFETIME` only; routes whose
answer is a secret that must not be kept at all take no stored answer (see `deps.py`).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import dialect_insert, rowcount
from app.core.errors import Conflict, Unprocessable
from app.core.security import fernet_for, keyed_digest
from app.core.time import utcnow
from app.idempotency.models import LEGACY_FINGERPRINT, idempotency_key_table

KEY_LIFETIME = timedelta(days=7)
# An unanswered claim this old lost its request before its data ever committed (only rows
# written before answers were stored in the data's own transaction can look like that): a
# retry takes it over and runs again.
CLAIM_TIMEOUT = timedelta(minutes=2)
SEALED_ANSWER_LIFETIME = timedelta(minutes=5)
# Left out of fingerprints: a retry is recognised by everything else, and the store keeps no
# trace of a password, code or token (not even a keyed one).
SECRET_FIELDS = frozenset(
    {
        "password",
        "current_password",
        "new_password",
        "otp",
        "code",
        "codes",
        "recovery_codes",
        "invitation_code",
        "refresh_token",
        "access_token",
        "secret",
    }
)
_ik = idempotency_key_table.c


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """What the first request with this key was answered."""

    status_code: int
    body: str


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRET_FIELDS}
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


def fingerprint(secret_key: str, method: str, path: str, body: bytes) -> str:
    """A keyed digest of what was asked (secret fields left out), to tell a true retry from a
    reused key. JSON bodies are compared by content, not by spelling."""
    try:
        canonical = json.dumps(
            _without_secrets(json.loads(body)), sort_keys=True, separators=(",", ":")
        ).encode()
    except (ValueError, UnicodeDecodeError):  # not JSON: the request will fail validation
        canonical = body
    head = method.encode() + b" " + path.encode() + b"\n"
    return keyed_digest(secret_key, "idempotency-fingerprint", head + canonical)


def anonymous_owner(secret_key: str, email: str) -> str:
    """Whose key an anonymous request (registration) uses: a keyed digest of the email."""
    normalized = email.strip().lower().encode()
    return "anon:" + keyed_digest(secret_key, "idempotency-owner", normalized)


def answer_box(secret_key: str) -> Fernet:
    """The cipher of stored answers that carry a one-time secret."""
    return fernet_for(secret_key, purpose="idempotent-answer")


async def claim(
    session: AsyncSession, *, owner: str, key: str, request_fingerprint: str, box: Fernet
) -> uuid.UUID | StoredAnswer:
    """Reserve the key for this request (uncommitted), or return the stored answer.

    The usual case, a new key, is one statement. When the same key is in flight elsewhere the
    insert waits for that request to end (the unique index holds it) and then finds its row.
    """
    now = utcnow()
    for _ in range(2):  # a second round only after deleting an expired row
        row_id = uuid.uuid4()
        inserted = await session.scalar(
            dialect_insert(session, idempotency_key_table)
            .values(
                id=row_id, owner=owner, key=key, fingerprint=request_fingerprint, created_at=now
            )
            .on_conflict_do_nothing(index_elements=[_ik.owner, _ik.key])
            .returning(_ik.id)
        )
        if inserted is not None:
            return row_id
        found = await _stored(session, owner, key, request_fingerprint, box, now)
        if found is not None:
            return found
    raise _in_progress()  # the row vanished and came back between our statements


async def _stored(
    session: AsyncSession,
    owner: str,
    key: str,
    request_fingerprint: str,
    box: Fernet,
    now: datetime,
) -> uuid.UUID | StoredAnswer | None:
    """The stored answer, a taken-over abandoned claim, or None when the key is free again
    (its row expired, and is deleted here, or went between our statements)."""
    row = (
        await session.execute(
            select(
                _ik.id,
                _ik.fingerprint,
                _ik.status_code,
                _ik.response_body,
                _ik.sealed,
                _ik.answer_expires_at,
                _ik.created_at,
            ).where(_ik.owner == owner, _ik.key == key)
        )
    ).first()
    if row is None:
        return None
    if row.created_at < now - KEY_LIFETIME:  # forgotten: the same key is a new request
        await session.execute(delete(idempotency_key_table).where(_ik.id == row.id))
        return None
    if row.fingerprint not in (request_fingerprint, LEGACY_FINGERPRINT):
        raise Unprocessable(
            "This Idempotency-Key was used for a different request.",
            code="idempotency_key_reused",
        )
    if row.status_code is not None:
        return StoredAnswer(row.status_code, _readable(row, box, now))
    if row.created_at > now - CLAIM_TIMEOUT:
        raise _in_progress()
    taken = await session.execute(
        update(idempotency_key_table)
        .where(_ik.id == row.id, _ik.status_code.is_(None), _ik.created_at == row.created_at)
        .values(created_at=now)
    )
    if rowcount(taken) != 1:  # another retry took it first
        raise _in_progress()
    stolen_id: uuid.UUID = row.id
    return stolen_id


def _readable(row: Any, box: Fernet, now: datetime) -> str:
    expired = row.answer_expires_at is not None and row.answer_expires_at <= now
    if row.response_body is None or expired:
        raise _answer_gone()
    if not row.sealed:
        return str(row.response_body)
    try:
        return box.decrypt(str(row.response_body).encode()).decode()
    except InvalidToken:  # the secret key changed
        raise _answer_gone() from None


def _in_progress() -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        code="idempotency_in_progress",
    )


def _answer_gone() -> Conflict:
    return Conflict(
        "The request with this Idempotency-Key succeeded earlier, but its answer held a one-time "
        "secret and is no longer kept; look the result up instead of retrying.",
        code="idempotency_answer_expired",
    )


async def record_answer(
    session: AsyncSession, *, row_id: uuid.UUID, status_code: int, body: str, box: Fernet | None
) -> None:
    """Write the answer onto the key row, in the request's own (still open) transaction."""
    now = utcnow()
    values: dict[str, Any] = {"status_code": status_code, "completed_at": now}
    if box is None:
        values.update(response_body=body, sealed=False, answer_expires_at=None)
    else:
        values.update(
            response_body=box.encrypt(body.encode()).decode(),
            sealed=True,
            answer_expires_at=now + SEALED_ANSWER_LIFETIME,
        )
    await session.execute(update(idempotency_key_table).where(_ik.id == row_id).values(**values))


async def purge(session: AsyncSession, *, now: datetime, batch: int) -> int:
    """Delete up to `batch` keys past their lifetime and blank up to `batch` sealed answers past
    theirs; commits. Returns how many rows it touched (0: nothing left to do)."""
    # SKIP LOCKED (PostgreSQL): purges running at once on several hosts take different rows.
    expired = (
        select(_ik.id)
        .where(_ik.created_at < now - KEY_LIFETIME)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    gone = await session.execute(delete(idempotency_key_table).where(_ik.id.in_(expired)))
    stale = (
        select(_ik.id)
        .where(_ik.response_body.is_not(None), _ik.answer_expires_at <= now)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    blanked = await session.execute(
        update(idempotency_key_table)
        .where(_ik.id.in_(stale), _ik.answer_expires_at <= now)
        .values(response_body=None)
    )
    await session.commit()
    return rowcount(gone) + rowcount(blanked)
