"""Login, refresh-token rotation with reuse detection, logout and password change."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import user_table
from app.auth.models import auth_session_table, refresh_token_table
from app.auth.schemas import TokenPair
from app.auth.sessions import (
    device_label,
    forget_ended,
    revoke_session,
    still_alive,
)
from app.core.config import Settings
from app.core.db import rowcount
from app.core.errors import TooManyRequests, Unauthorized
from app.core.security import PasswordHasher, TokenCodec
from app.core.time import utcnow
from app.mfa import codes as mfa
from app.throttle.service import Throttle, account_backoff, admit, login_address_window

_rt = refresh_token_table.c
_as = auth_session_table.c
_u = user_table.c


def _bad_credentials() -> Unauthorized:
    return Unauthorized("Incorrect email or password.", code="invalid_credentials")


def _bad_refresh() -> Unauthorized:
    return Unauthorized("The refresh token is not valid.", code="invalid_refresh_token")


async def _issue(
    session: AsyncSession,
    *,
    tokens: TokenCodec,
    settings: Settings,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    session_created_at: datetime,
    refresh_plain: str,
    now: datetime,
) -> TokenPair:
    """Store a refresh token and build the pair (the access token's jti is the refresh row id).

    A refresh token never outlives its session's absolute lifetime."""
    row_id = uuid.uuid4()
    session_end = session_created_at + timedelta(days=settings.session_max_days)
    await session.execute(
        refresh_token_table.insert().values(
            id=row_id,
            session_id=session_id,
            token_hash=tokens.hash_refresh(refresh_plain),
            created_at=now,
            expires_at=min(now + timedelta(days=settings.refresh_token_days), session_end),
        )
    )
    return _pair(tokens, user_id, session_id, row_id, refresh_plain, issued_at=now, now=now)


def _pair(
    tokens: TokenCodec,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    row_id: uuid.UUID,
    refresh_plain: str,
    *,
    issued_at: datetime,
    now: datetime,
) -> TokenPair:
    access = tokens.encode_access(
        user_id=user_id, session_id=session_id, jti=row_id.hex, issued_at=issued_at
    )
    remaining = int((issued_at + tokens.access_ttl - now).total_seconds())
    return TokenPair(access_token=access, refresh_token=refresh_plain, expires_in=max(remaining, 0))


async def login(
    session: AsyncSession,
    *,
    hasher: PasswordHasher,
    tokens: TokenCodec,
    settings: Settings,
    throttle: Throttle,
    email: str,
    password: str,
    otp: str | None,
    client_address: str,
    user_agent: str | None = None,
) -> TokenPair:
    """Check the password (same cost and answer for unknown emails), then any second factor, and
    open a session.

    Each attempt is counted before the password is checked, in one atomic step per rule: per
    account (known or not, so nothing is enumerated) with a doubling back-off, and per client
    address in a fixed window. A success resets the account's back-off and takes the attempt
    back from the address (only failures count there). A missing code is not counted either.
    """
    account_rule = account_backoff(settings, "login")
    address_rule = login_address_window(settings)
    account_key = accounts.normalize_email(email)
    refusal = {"code": "login_throttled", "detail": "Too many failed logins; wait and try again."}
    await admit(throttle, session, address_rule, client_address, **refusal)
    try:
        await admit(throttle, session, account_rule, account_key, **refusal)
    except TooManyRequests:
        await throttle.undo(session, address_rule, client_address)  # not a checked failure
        raise
    user = await accounts.find_by_email(session, email=email)
    ok, new_hash = await hasher.verify(password, user.password_hash if user else None)
    if user is None or not ok or user.disabled_at is not None:
        raise _bad_credentials()  # both attempts stay counted
    now = utcnow()
    second = await mfa.check_login(session, settings=settings, user_id=user.id, code=otp, now=now)
    if second == "missing":
        await throttle.undo(session, account_rule, account_key)
        await throttle.undo(session, address_rule, client_address)
        raise Unauthorized("Enter the code from your authenticator app.", code="mfa_required")
    if second == "wrong":
        raise Unauthorized("The code is not valid.", code="invalid_otp")
    await throttle.reset(session, account_rule, account_key)
    await throttle.undo(session, address_rule, client_address)
    if new_hash:
        user.password_hash = new_hash
    max_age = timedelta(days=settings.session_max_days)
    await forget_ended(session, user_id=user.id, now=now, max_age=max_age)
    session_id = uuid.uuid4()
    await session.execute(
        auth_session_table.insert().values(
            id=session_id,
            user_id=user.id,
            created_at=now,
            last_used_at=now,
            device_label=device_label(user_agent),
            mfa_verified_at=now if second == "passed" else None,
        )
    )
    pair = await _issue(
        session,
        tokens=tokens,
        settings=settings,
        user_id=user.id,
        session_id=session_id,
        session_created_at=now,
        refresh_plain=tokens.new_refresh_token(),
        now=now,
    )
    await session.commit()
    return pair


async def refresh(
    session: AsyncSession, *, tokens: TokenCodec, settings: Settings, refresh_token: str
) -> TokenPair:
    """Rotate a refresh token; a spent one presented after the grace revokes the session.

    Fails once the session is older than MESTRING_SESSION_MAX_DAYS, however it was refreshed.
    """
    now = utcnow()
    query = (
        select(_rt.id, _rt.session_id, _rt.expires_at, _rt.rotated_at, _as.user_id, _as.created_at)
        .join_from(refresh_token_table, auth_session_table, _as.id == _rt.session_id)
        .join(user_table, _u.id == _as.user_id)
        .where(
            _rt.token_hash == tokens.hash_refresh(refresh_token),
            still_alive(now, timedelta(days=settings.session_max_days)),
            _u.disabled_at.is_(None),
        )
    )
    row = (await session.execute(query)).first()
    if row is None or row.expires_at <= now:
        raise _bad_refresh()
    child = tokens.child_refresh_token(refresh_token)
    if row.rotated_at is None:
        claimed = await session.execute(
            update(refresh_token_table)
            .where(_rt.id == row.id, _rt.rotated_at.is_(None))
            .values(rotated_at=now)
        )
        if rowcount(claimed) == 1:
            pair = await _issue(
                session,
                tokens=tokens,
                settings=settings,
                user_id=row.user_id,
                session_id=row.session_id,
                session_created_at=row.created_at,
                refresh_plain=child,
                now=now,
            )
            await session.execute(
                update(auth_session_table).where(_as.id == row.session_id).values(last_used_at=now)
            )
            await session.commit()
            return pair
        rotated_at = await session.scalar(select(_rt.rotated_at).where(_rt.id == row.id))
    else:
        rotated_at = row.rotated_at
    return await _replay(
        session,
        tokens=tokens,
        settings=settings,
        user_id=row.user_id,
        session_id=row.session_id,
        child=child,
        rotated_at=rotated_at,
        now=now,
    )


async def _replay(
    session: AsyncSession,
    *,
    tokens: TokenCodec,
    settings: Settings,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    child: str,
    rotated_at: datetime | None,
    now: datetime,
) -> TokenPair:
    """A spent token again: the same pair within the grace window, else the session dies."""
    in_grace = rotated_at is not None and now - rotated_at <= timedelta(
        seconds=settings.refresh_grace_seconds
    )
    if in_grace:
        found = (
            await session.execute(
                select(_rt.id, _rt.created_at, _rt.rotated_at).where(
                    _rt.token_hash == tokens.hash_refresh(child)
                )
            )
        ).first()
        # Only while the replacement itself is unused: otherwise the chain has moved on.
        if found is not None and found.rotated_at is None:
            return _pair(
                tokens, user_id, session_id, found.id, child, issued_at=found.created_at, now=now
            )
    await revoke_session(session, session_id=session_id, reason="refresh_reuse")
    await session.commit()
    raise _bad_refresh()


async def logout(
    session: AsyncSession,
    *,
    tokens: TokenCodec,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    refresh_token: str | None,
) -> None:
    """End the caller's session, and the refresh token's session if it is also the caller's."""
    await revoke_session(session, session_id=session_id, reason="logout")
    if refresh_token:
        other = await session.scalar(
            select(_rt.session_id)
            .join_from(refresh_token_table, auth_session_table, _as.id == _rt.session_id)
            .where(_rt.token_hash == tokens.hash_refresh(refresh_token), _as.user_id == user_id)
        )
        if other is not None:
            await revoke_session(session, session_id=other, reason="logout")
    await session.commit()
