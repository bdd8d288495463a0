"""Checking and spending codes: TOTP (one use per 30-second step) and recovery codes (one use)."""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import datetime
from typing import Literal

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import code_digest, fernet_for, hash_code
from app.mfa.models import mfa_factor_table, mfa_recovery_code_table

STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after is accepted too (clock drift, typing)
RECOVERY_CODE_COUNT = 10
_RECOVERY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32: no 0/1/8/9 to confuse
_RECOVERY_LENGTH = 10

_f = mfa_factor_table.c
_rc = mfa_recovery_code_table.c

LoginCheck = Literal["no_factor", "passed", "missing", "wrong"]


def secret_box(settings: Settings) -> Fernet:
    """The cipher for TOTP secrets at rest."""
    return fernet_for(settings.resolved_secret_key(), purpose="totp-secret")


def normalize(code: str) -> str:
    """Codes are compared without spaces or dashes, upper-cased."""
    return "".join(code.split()).replace("-", "").upper()


def new_recovery_code() -> str:
    """Ten random base32 characters (50 bits) shown as two groups of five."""
    raw = "".join(secrets.choice(_RECOVERY_CHARS) for _ in range(_RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_hash(settings: Settings, code: str) -> str:
    """What the database keeps of a recovery code: a digest keyed by the secret key."""
    return code_digest(settings.resolved_secret_key(), normalize(code))


def _recovery_hashes(settings: Settings, code: str) -> list[str]:
    """The keyed digest, and the plain SHA-256 codes issued before keyed digests were kept as."""
    return [recovery_hash(settings, code), hash_code(normalize(code))]


async def spend_totp(
    session: AsyncSession,
    *,
    settings: Settings,
    user_id: uuid.UUID,
    secret_encrypted: str,
    code: str,
    now: datetime,
) -> bool:
    """True when `code` is the TOTP of a step near `now` newer than the last one used; spends it."""
    code = normalize(code)
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    try:
        secret = secret_box(settings).decrypt(secret_encrypted.encode()).decode()
    except InvalidToken:  # the secret key changed: only recovery codes can help now
        return False
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if not hmac.compare_digest(totp.generate_otp(step), code):
            continue
        # Conditional update: a replay, a concurrent request with the same code, or a secret
        # replaced meanwhile (an enrolment restarted) changes nothing.
        spent = await session.execute(
            update(mfa_factor_table)
            .where(
                _f.user_id == user_id,
                _f.secret_encrypted == secret_encrypted,
                or_(_f.last_used_step.is_(None), _f.last_used_step < step),
            )
            .values(last_used_step=step)
        )
        if spent.rowcount == 1:  # type: ignore[attr-defined]
            return True
    return False


async def spend_recovery_code(
    session: AsyncSession, *, settings: Settings, user_id: uuid.UUID, code: str, now: datetime
) -> bool:
    """True when `code` is one of the user's unused recovery codes; marks it used."""
    if len(normalize(code)) != _RECOVERY_LENGTH:
        return False
    spent = await session.execute(
        update(mfa_recovery_code_table)
        .where(
            _rc.user_id == user_id,
            _rc.code_hash.in_(_recovery_hashes(settings, code)),
            _rc.used_at.is_(None),
        )
        .values(used_at=now)
    )
    used: bool = spent.rowcount == 1  # type: ignore[attr-defined]
    return used


async def spend_any(
    session: AsyncSession,
    *,
    settings: Settings,
    user_id: uuid.UUID,
    secret_encrypted: str,
    code: str,
    now: datetime,
) -> bool:
    """A TOTP code or, failing that, a recovery code; the one that passes is spent."""
    if await spend_totp(
        session,
        settings=settings,
        user_id=user_id,
        secret_encrypted=secret_encrypted,
        code=code,
        now=now,
    ):
        return True
    return await spend_recovery_code(
        session, settings=settings, user_id=user_id, code=code, now=now
    )


async def confirmed_secret(session: AsyncSession, *, user_id: uuid.UUID) -> str | None:
    """The encrypted secret of the user's confirmed factor, if they have one."""
    secret: str | None = await session.scalar(
        select(_f.secret_encrypted).where(_f.user_id == user_id, _f.confirmed_at.is_not(None))
    )
    return secret


async def check_login(
    session: AsyncSession,
    *,
    settings: Settings,
    user_id: uuid.UUID,
    code: str | None,
    now: datetime,
) -> LoginCheck:
    """Whether the user's confirmed factor (if any) lets this login through; spends the code."""
    secret = await confirmed_secret(session, user_id=user_id)
    if secret is None:
        return "no_factor"
    if not code:
        return "missing"
    passed = await spend_any(
        session, settings=settings, user_id=user_id, secret_encrypted=secret, code=code, now=now
    )
    return "passed" if passed else "wrong"
