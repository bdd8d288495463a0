"""POST /v1/me/password: changing the password with the current one, throttled per account."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.passwords import ensure_not_guessable
from app.auth.sessions import revoke_user_sessions
from app.core.config import Settings
from app.core.errors import BadRequest
from app.core.security import PasswordHasher
from app.throttle.service import Throttle, account_backoff, admit


async def change_password(
    session: AsyncSession,
    *,
    hasher: PasswordHasher,
    settings: Settings,
    throttle: Throttle,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    current_password: str,
    new_password: str,
) -> None:
    """Replace the password after checking the current one; every other session is revoked.

    Wrong current passwords back off per account like failed logins, so a stolen session
    cannot guess the password here.
    """
    rule = account_backoff(settings, "password")
    key = str(user_id)
    await admit(
        throttle,
        session,
        rule,
        key,
        code="password_throttled",
        detail="Too many wrong passwords; wait a little and try again.",
    )
    user = await accounts.get_user(session, user_id=user_id)
    ok, _ = await hasher.verify(current_password, user.password_hash)
    if not ok:
        # Not a 401: the caller's token is fine, and a 401 would make the app sign them out.
        raise BadRequest("The current password is wrong.", code="wrong_password")
    await throttle.reset(session, rule, key)
    await ensure_not_guessable(
        new_password, user_inputs=[user.email.split("@")[0], user.display_name, current_password]
    )
    user.password_hash = await hasher.hash(new_password)
    await revoke_user_sessions(session, user_id=user_id, reason="password_changed", keep=session_id)
    await session.commit()
