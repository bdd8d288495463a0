"""Who is calling: the bearer token is verified, then the user and session are read from the DB.

This is also the one place that enforces `MESTRING_REQUIRE_MFA`: a therapist's or admin's session
that has not passed a second factor may only use the routes that take `EnrollingUser` or
`EnrollingStaff` (`GET /v1/me`, `/v1/me/mfa*`, logout); everything else answers 403
`mfa_enrolment_required`. Refresh needs no access token and keeps the session as it is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role, user_table
from app.auth.models import auth_session_table
from app.auth.schemas import LoginForm
from app.core import rawsql
from app.core.config import Settings
from app.core.deps import Services, SessionDep
from app.core.errors import Forbidden, Unauthorized
from app.core.time import utcnow
from app.mfa.models import MFA_ROLES

_bearer = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)

# The session check runs on every request: one textual statement, built once, so SQLAlchemy
# neither builds nor walks a statement per request (its cache key is the text) and the driver
# reuses its prepared statement. A disabled user, a revoked session (logout, password change,
# "log out everywhere") or a deleted account fails it at once: nothing is cached across requests.
_PRINCIPAL = text(
    "SELECT users.role, users.timezone, users.locale, users.display_name, "
    "auth_sessions.mfa_verified_at FROM users JOIN auth_sessions "
    "ON auth_sessions.user_id = users.id "
    "WHERE users.id = :user_id AND users.disabled_at IS NULL "
    "AND auth_sessions.id = :session_id AND auth_sessions.revoked_at IS NULL"
).bindparams(
    bindparam("user_id", type_=user_table.c.id.type),
    bindparam("session_id", type_=auth_session_table.c.id.type),
)

# The same check for a console cookie, with the session's start (typed, for SQLite's sake).
_CONSOLE_PRINCIPAL = (
    text(
        "SELECT users.role, users.timezone, users.locale, users.display_name, "
        "auth_sessions.mfa_verified_at, auth_sessions.created_at FROM users JOIN auth_sessions "
        "ON auth_sessions.user_id = users.id "
        "WHERE users.id = :user_id AND users.disabled_at IS NULL "
        "AND auth_sessions.id = :session_id AND auth_sessions.revoked_at IS NULL"
    )
    .bindparams(
        bindparam("user_id", type_=user_table.c.id.type),
        bindparam("session_id", type_=auth_session_table.c.id.type),
    )
    .columns(
        user_table.c.role,
        user_table.c.timezone,
        user_table.c.locale,
        user_table.c.display_name,
        auth_session_table.c.mfa_verified_at,
        auth_session_table.c.created_at,
    )
)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as the database says now (role is never taken from the token)."""

    id: uuid.UUID
    role: Role
    session_id: uuid.UUID
    timezone: str
    locale: str
    # As the database says now; the access log keeps it as it was at each read.
    display_name: str = ""
    # True while MESTRING_REQUIRE_MFA holds this staff session back until a second factor.
    mfa_pending: bool = False


async def _signed_in(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(_bearer)],
) -> Principal:
    # Tokens and settings straight from app.state (not TokensDep/SettingsDep): this runs on
    # every signed-in request, and each dependency node costs FastAPI a walk (issue 12).
    services: Services = request.app.state.services
    settings = services.settings
    if not token:
        raise Unauthorized("Not authenticated.")
    claims = services.tokens.decode_access(token)
    if claims is None:
        raise Unauthorized()
    # On PostgreSQL straight on the driver, in the session's transaction (app/core/rawsql.py).
    rows = await rawsql.run(
        session, _PRINCIPAL, {"user_id": claims.user_id, "session_id": claims.session_id}
    )
    if not rows:
        raise Unauthorized()
    row = rows[0]
    role = Role(row.role)
    return Principal(
        id=claims.user_id,
        role=role,
        session_id=claims.session_id,
        timezone=row.timezone,
        locale=row.locale,
        display_name=row.display_name,
        mfa_pending=settings.require_mfa and role in MFA_ROLES and row.mfa_verified_at is None,
    )


async def principal_of_session(
    session: AsyncSession, settings: Settings, *, user_id: uuid.UUID, session_id: uuid.UUID
) -> Principal | None:
    """The console's twin of the bearer check (issue 18): the same statement, so a revoked
    session, a disabled user or a deleted account ends a console cookie at once; and, as the
    cookie has no expiry of its own inside, the session's absolute lifetime is checked here."""
    connection = await session.connection()
    found = await connection.execute(
        _CONSOLE_PRINCIPAL, {"user_id": user_id, "session_id": session_id}
    )
    row = found.first()
    if row is None or row.created_at <= utcnow() - timedelta(days=settings.session_max_days):
        return None
    role = Role(row.role)
    return Principal(
        id=user_id,
        role=role,
        session_id=session_id,
        timezone=row.timezone,
        locale=row.locale,
        display_name=row.display_name,
        mfa_pending=settings.require_mfa and role in MFA_ROLES and row.mfa_verified_at is None,
    )


# The caller even while their session awaits MFA enrolment: only for /v1/me, /v1/me/mfa*, logout.
EnrollingUser = Annotated[Principal, Depends(_signed_in)]


def _refuse_pending_mfa(user: Principal) -> None:
    if user.mfa_pending:
        raise Forbidden(
            "Set up two-step login (or log in again with your code) to continue.",
            code="mfa_enrolment_required",
        )


async def _current_user(user: EnrollingUser) -> Principal:
    _refuse_pending_mfa(user)
    return user


CurrentUser = Annotated[Principal, Depends(_current_user)]


async def _enrolling_staff(user: EnrollingUser) -> Principal:
    if user.role not in MFA_ROLES:
        raise Forbidden()
    return user


# Staff (therapist, job counsellor, admin), even while their session awaits MFA enrolment
# (the /v1/me/mfa routes).
EnrollingStaff = Annotated[Principal, Depends(_enrolling_staff)]


def _require(role: Role) -> object:
    # On EnrollingUser with _current_user's check inlined (one dependency node less on every
    # role-bound request, issue 12): the enrolment answer still comes before the role's.
    async def dependency(user: EnrollingUser) -> Principal:
        _refuse_pending_mfa(user)
        if user.role is not role:
            raise Forbidden()
        return user

    return Depends(dependency)


CurrentPatient = Annotated[Principal, _require(Role.patient)]
CurrentTherapist = Annotated[Principal, _require(Role.therapist)]
CurrentCounsellor = Annotated[Principal, _require(Role.job_counsellor)]
CurrentAdmin = Annotated[Principal, _require(Role.admin)]

WORK_SIDE_ROLES = frozenset({Role.therapist, Role.job_counsellor})


async def _work_side_staff(user: CurrentUser) -> Principal:
    if user.role not in WORK_SIDE_ROLES:
        raise Forbidden()
    return user


# A therapist or a job counsellor: the staff who may see a patient's work side (which patient
# is decided per request by `care.access.ensure_work_side`).
CurrentWorkSideStaff = Annotated[Principal, Depends(_work_side_staff)]


# The OAuth2 password form of POST /v1/auth/token, parsed into a LoginForm.
LoginFormDep = Annotated[LoginForm, Form()]
