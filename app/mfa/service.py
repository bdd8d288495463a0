"""TOTP enrolment, confirmation with recovery codes, status and disabling."""

from __future__ import annotations

import uuid

import pyotp
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import Role, user_table
from app.auth.models import auth_session_table
from app.auth.sessions import revoke_user_sessions
from app.core.config import Settings
from app.core.db import dialect_insert
from app.core.errors import BadRequest, Conflict
from app.core.security import PasswordHasher
from app.core.time import utcnow
from app.mfa import codes
from app.mfa.models import MFA_ROLES, mfa_factor_table, mfa_recovery_code_table
from app.mfa.schemas import MfaStatus, RecoveryCodes, TotpEnrolment
from app.throttle.service import Throttle, account_backoff, admit

ISSUER = "Mestring"

_f = mfa_factor_table.c
_rc = mfa_recovery_code_table.c
_as = auth_session_table.c
_u = user_table.c


def _already_enabled() -> Conflict:
    return Conflict("Two-step login is already on.", code="mfa_already_enabled")


def _invalid_otp() -> BadRequest:
    return BadRequest("The code is not valid.", code="invalid_otp")


async def start_enrolment(
    session: AsyncSession, *, settings: Settings, user_id: uuid.UUID
) -> TotpEnrolment:
    """A new secret for an unconfirmed factor (replacing an earlier unconfirmed one)."""
    email = await session.scalar(select(_u.email).where(_u.id == user_id))
    secret = pyotp.random_base32()
    values = {
        "user_id": user_id,
        "secret_encrypted": codes.secret_box(settings).encrypt(secret.encode()).decode(),
        "confirmed_at": None,
        "last_used_step": None,
        "created_at": utcnow(),
    }
    upsert = dialect_insert(session, mfa_factor_table)
    statement = upsert.values(values).on_conflict_do_update(
        index_elements=[_f.user_id],
        set_={
            "secret_encrypted": upsert.excluded.secret_encrypted,
            "last_used_step": None,
            "created_at": upsert.excluded.created_at,
        },
        where=_f.confirmed_at.is_(None),  # a confirmed factor is never overwritten
    )
    written = await session.scalar(statement.returning(_f.user_id))
    if written is None:
        await session.rollback()
        raise _already_enabled()
    await session.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=str(email), issuer_name=ISSUER)
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


async def confirm_enrolment(
    session: AsyncSession,
    *,
    settings: Settings,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    code: str,
) -> RecoveryCodes:
    """Turn the factor on with a first good code; new recovery codes are returned this once."""
    row = (
        await session.execute(
            select(_f.secret_encrypted, _f.confirmed_at).where(_f.user_id == user_id)
        )
    ).first()
    if row is None:
        raise Conflict("Start the set-up first.", code="mfa_not_started")
    if row.confirmed_at is not None:
        raise _already_enabled()
    now = utcnow()
    if not await codes.spend_totp(
        session,
        settings=settings,
        user_id=user_id,
        secret_encrypted=row.secret_encrypted,
        code=code,
        now=now,
    ):
        raise _invalid_otp()
    await session.execute(
        update(mfa_factor_table).where(_f.user_id == user_id).values(confirmed_at=now)
    )
    plain = [codes.new_recovery_code() for _ in range(codes.RECOVERY_CODE_COUNT)]
    await session.execute(delete(mfa_recovery_code_table).where(_rc.user_id == user_id))
    await session.execute(
        insert(mfa_recovery_code_table),
        [
            {"id": uuid.uuid4(), "user_id": user_id, "code_hash": codes.recovery_hash(settings, c)}
            for c in plain
        ],
    )
    # This session has now shown the second factor; the others, which never did, end here (a
    # session opened by someone who knew only the password must not outlive the enrolment).
    await session.execute(
        update(auth_session_table).where(_as.id == session_id).values(mfa_verified_at=now)
    )
    await revoke_user_sessions(
        session, user_id=user_id, reason="mfa_enrolled", keep=session_id, only_without_mfa=True
    )
    await session.commit()
    return RecoveryCodes(recovery_codes=plain)


async def status(
    session: AsyncSession, *, settings: Settings, user_id: uuid.UUID, role: Role
) -> MfaStatus:
    """Whether the factor is on, since when, and how many recovery codes are unused."""
    confirmed_at = await session.scalar(
        select(_f.confirmed_at).where(_f.user_id == user_id, _f.confirmed_at.is_not(None))
    )
    left = 0
    if confirmed_at is not None:
        left = (
            await session.scalar(
                select(func.count())
                .select_from(mfa_recovery_code_table)
                .where(_rc.user_id == user_id, _rc.used_at.is_(None))
            )
            or 0
        )
    return MfaStatus(
        enabled=confirmed_at is not None,
        confirmed_at=confirmed_at,
        recovery_codes_left=left,
        required=settings.require_mfa and role in MFA_ROLES,
    )


async def disable(
    session: AsyncSession,
    *,
    settings: Settings,
    hasher: PasswordHasher,
    throttle: Throttle,
    user_id: uuid.UUID,
    password: str,
    code: str,
) -> None:
    """Turn the factor off with the password and a code; the user's sessions lose their MFA mark.

    Failures are counted like failed logins (per account), so a stolen session cannot guess.
    """
    rule = account_backoff(settings, "mfa-disable")
    key = str(user_id)
    secret = await codes.confirmed_secret(session, user_id=user_id)
    if secret is None:
        raise Conflict("Two-step login is not on.", code="mfa_not_enabled")
    await admit(
        throttle, session, rule, key, code="mfa_throttled", detail="Too many failed attempts."
    )
    user = await accounts.get_user(session, user_id=user_id)
    ok, _ = await hasher.verify(password, user.password_hash)
    if not ok:
        raise BadRequest("The password is wrong.", code="wrong_password")
    if not await codes.spend_any(
        session,
        settings=settings,
        user_id=user_id,
        secret_encrypted=secret,
        code=code,
        now=utcnow(),
    ):
        raise _invalid_otp()
    await session.execute(delete(mfa_recovery_code_table).where(_rc.user_id == user_id))
    await session.execute(delete(mfa_factor_table).where(_f.user_id == user_id))
    await session.execute(
        update(auth_session_table).where(_as.user_id == user_id).values(mfa_verified_at=None)
    )
    await session.commit()
    await throttle.reset(session, rule, key)
