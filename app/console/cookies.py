"""The console's cookies and CSRF tokens: signed, opaque, and free of health data.

The session cookie holds the ids of the user and of their row in the API's session table,
with an HMAC under a key derived from the app secret; the row is checked on every request
(`app.auth.deps.principal_of_session`), so revoking it ends the cookie at once. A signed-in
form's CSRF token is an HMAC of the session id; the sign-in form's is an HMAC of a random
value kept in a short-lived pre-session cookie.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from app.core.config import Settings
from app.core.security import keyed_digest

SESSION_COOKIE = "mestring_console"
LOGIN_COOKIE = "mestring_console_login"
COOKIE_PATH = "/console"
LOGIN_COOKIE_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class CookieSession:
    user_id: uuid.UUID
    session_id: uuid.UUID


def _sign(settings: Settings, purpose: str, data: str) -> str:
    return keyed_digest(settings.resolved_secret_key(), purpose, data.encode())


def session_value(settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    body = f"{user_id.hex}.{session_id.hex}"
    return f"{body}.{_sign(settings, 'console-session', body)}"


def read_session(settings: Settings, request: Request) -> CookieSession | None:
    """The ids a genuine cookie names (not yet checked against the session table)."""
    raw = request.cookies.get(SESSION_COOKIE, "")
    parts = raw.split(".")
    if len(parts) != 3:
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2], _sign(settings, "console-session", body)):
        return None
    try:
        return CookieSession(uuid.UUID(hex=parts[0]), uuid.UUID(hex=parts[1]))
    except ValueError:
        return None


def _set(response: Response, settings: Settings, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=settings.env != "development",
        httponly=True,
        samesite="strict",
    )


def set_session(response: Response, settings: Settings, value: str) -> None:
    """The session cookie lives as long as the session itself may (MESTRING_SESSION_MAX_DAYS)."""
    _set(response, settings, SESSION_COOKIE, value, settings.session_max_days * 86400)
    response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)


def clear_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path=COOKIE_PATH,
        secure=settings.env != "development",
        httponly=True,
        samesite="strict",
    )


def session_csrf(settings: Settings, session_id: uuid.UUID) -> str:
    return _sign(settings, "console-csrf", session_id.hex)


def login_csrf(settings: Settings, request: Request) -> tuple[str, str | None]:
    """The sign-in form's token, and the pre-session nonce to set when there is none yet."""
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    fresh = None
    if len(nonce) < 32 or len(nonce) > 64:
        nonce = fresh = secrets.token_urlsafe(32)
    return _sign(settings, "console-login-csrf", nonce), fresh


def set_login_nonce(response: Response, settings: Settings, nonce: str) -> None:
    _set(response, settings, LOGIN_COOKIE, nonce, LOGIN_COOKIE_SECONDS)


def login_csrf_ok(settings: Settings, request: Request, token: str) -> bool:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if len(nonce) < 32 or len(nonce) > 64 or not token:
        return False
    return hmac.compare_digest(token, _sign(settings, "console-login-csrf", nonce))


def csrf_ok(settings: Settings, session_id: uuid.UUID, token: str) -> bool:
    return bool(token) and hmac.compare_digest(token, session_csrf(settings, session_id))
