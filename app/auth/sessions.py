"""Login sessions as a whole: revoking them, their absolute lifetime, and purging ended ones."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import auth_session_table, refresh_token_table
from app.core.db import rowcount
from app.core.time import utcnow

# Ended sessions stay this long (the patient sees them in their export, and a reused refresh
# token of a recently ended session is recognised), then `mestring purge` deletes them.
ENDED_SESSION_RETENTION = timedelta(days=30)
DEVICE_LABEL_MAX = 120

_as = auth_session_table.c
_rt = refresh_token_table.c


def device_label(user_agent: str | None) -> str | None:
    """What a session is shown as: the client's User-Agent, printable and bounded."""
    if not user_agent:
        return None
    printable = "".join(ch for ch in user_agent if ch.isprintable()).strip()
    return printable[:DEVICE_LABEL_MAX] or None


def still_alive(now: datetime, max_age: timedelta) -> ColumnElement[bool]:
    """Sessions not revoked and younger than the absolute lifetime."""
    return (_as.revoked_at.is_(None)) & (_as.created_at > now - max_age)


async def revoke_session(session: AsyncSession, *, session_id: uuid.UUID, reason: str) -> None:
    """Mark a session revoked (its access and refresh tokens stop working); caller commits."""
    await session.execute(
        update(auth_session_table)
        .where(_as.id == session_id, _as.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


async def revoke_user_sessions(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    reason: str,
    keep: uuid.UUID | None = None,
    only_without_mfa: bool = False,
) -> int:
    """Revoke the user's live sessions (but `keep`; only those that did not pass a second factor
    when asked); caller commits. Revoked sessions never come back, even if the account does."""
    conditions = [_as.user_id == user_id, _as.revoked_at.is_(None)]
    if keep is not None:
        conditions.append(_as.id != keep)
    if only_without_mfa:
        conditions.append(_as.mfa_verified_at.is_(None))
    result = await session.execute(
        update(auth_session_table)
        .where(*conditions)
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    return rowcount(result)


def _ended_long_ago(now: datetime, max_age: timedelta) -> ColumnElement[bool]:
    cutoff = now - ENDED_SESSION_RETENTION
    return or_(_as.revoked_at < cutoff, _as.created_at < cutoff - max_age)


async def forget_ended(
    session: AsyncSession, *, user_id: uuid.UUID, now: datetime, max_age: timedelta
) -> None:
    """Opportunistic purge at login: this user's long-ended sessions go (caller commits)."""
    await session.execute(
        delete(auth_session_table).where(_as.user_id == user_id, _ended_long_ago(now, max_age))
    )


async def purge(session: AsyncSession, *, now: datetime, batch: int, max_age: timedelta) -> int:
    """Delete up to `batch` expired refresh tokens and up to `batch` sessions ended more than
    ENDED_SESSION_RETENTION ago (their tokens go with them); commits; rows deleted."""
    ended = _ended_long_ago(now, max_age)
    # SKIP LOCKED (PostgreSQL): purges running at once on several hosts take different rows.
    old_sessions = select(_as.id).where(ended).limit(batch).with_for_update(skip_locked=True)
    gone = await session.execute(delete(auth_session_table).where(_as.id.in_(old_sessions)))
    old_tokens = (
        select(_rt.id).where(_rt.expires_at < now).limit(batch).with_for_update(skip_locked=True)
    )
    spent = await session.execute(delete(refresh_token_table).where(_rt.id.in_(old_tokens)))
    await session.commit()
    return rowcount(gone) + rowcount(spent)
