"""Who is calling: the bearer token is verified, then the user and session are read from the DB."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select

from app.accounts.models import Role, user_table
from app.auth.models import auth_session_table
from app.core.deps import SessionDep, TokensDep
from app.core.errors import Forbidden, Unauthorized

_bearer = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)

_users = user_table.c
_sessions = auth_session_table.c


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as the database says now (role is never taken from the token)."""

    id: uuid.UUID
    role: Role
    session_id: uuid.UUID
    timezone: str
    locale: str


async def _current_user(
    session: SessionDep, tokens: TokensDep, token: Annotated[str | None, Depends(_bearer)]
) -> Principal:
    if not token:
        raise Unauthorized("Not authenticated.")
    claims = tokens.decode_access(token)
    if claims is None:
        raise Unauthorized()
    query = (
        select(_users.role, _users.timezone, _users.locale)
        .join_from(user_table, auth_session_table, _sessions.user_id == _users.id)
        .where(
            _users.id == claims.user_id,
            _users.disabled_at.is_(None),
            _sessions.id == claims.session_id,
            _sessions.revoked_at.is_(None),
        )
    )
    row = (await session.execute(query)).first()
    if row is None:
        raise Unauthorized()
    return Principal(
        id=claims.user_id,
        role=Role(row.role),
        session_id=claims.session_id,
        timezone=row.timezone,
        locale=row.locale,
    )


CurrentUser = Annotated[Principal, Depends(_current_user)]


def _require(role: Role) -> object:
    async def dependency(user: CurrentUser) -> Principal:
        if user.role is not role:
            raise Forbidden()
        return user

    return Depends(dependency)


CurrentPatient = Annotated[Principal, _require(Role.patient)]
CurrentTherapist = Annotated[Principal, _require(Role.therapist)]
CurrentAdmin = Annotated[Principal, _require(Role.admin)]
