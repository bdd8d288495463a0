"""Shared throttling: in the database by default, in Redis when configured.

Every check and its count are one atomic step (`attempt`), so concurrent requests can never
all slip under a limit. Callers count an attempt before doing the expensive check, then
`undo` it when it turns out not to count (rules that count only failures) or `reset` the
back-off after a success. See README "Throttling" for the scheme as a whole.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import TooManyRequests
from app.throttle.database import DatabaseThrottle
from app.throttle.redis_backend import RedisThrottle
from app.throttle.rules import Backoff, Rule, Window

__all__ = ["Backoff", "Rule", "Throttle", "Window", "build_throttle"]


class Throttle(Protocol):
    async def attempt(self, session: AsyncSession, rule: Rule, key: str) -> int | None:
        """Count one attempt (committed at once); seconds to wait when it is refused."""

    async def undo(self, session: AsyncSession, rule: Rule, key: str) -> None:
        """Take back one counted attempt."""

    async def reset(self, session: AsyncSession, rule: Rule, key: str) -> None:
        """Forget the key's count (after a success)."""

    async def forget(self, session: AsyncSession, entries: list[tuple[Rule, str]]) -> None:
        """Delete these keys' counts (erasure); database rows go with the caller's commit."""

    async def close(self) -> None:
        """Release connections."""


def build_throttle(redis_url: str | None) -> Throttle:
    """Redis when configured, else the database."""
    return RedisThrottle(redis_url) if redis_url else DatabaseThrottle()


async def admit(
    throttle: Throttle, session: AsyncSession, rule: Rule, key: str, *, code: str, detail: str
) -> None:
    """Count an attempt, or raise 429 `code` with Retry-After when it must wait."""
    wait = await throttle.attempt(session, rule, key)
    if wait is not None:
        raise TooManyRequests(detail, retry_after=wait, code=code)


def account_backoff(settings: Settings, door: str) -> Backoff:
    """The per-account back-off of one door (login, password change, erasure, MFA off)."""
    return Backoff(
        f"{door}-account",
        free=settings.login_failures_per_account,
        base=settings.login_backoff_seconds,
        cap=max(settings.login_backoff_max_seconds, settings.login_backoff_seconds),
    )


# The doors a password is checked at, each with its own per-account back-off, and whether it is
# keyed by the email typed (login: the account may not exist) or by the user id.
ACCOUNT_DOORS: dict[str, str] = {
    "login": "email",
    "password": "user_id",
    "erase": "user_id",
    "mfa-disable": "user_id",
}


def account_entries(settings: Settings, *, email: str, user_id: str) -> list[tuple[Rule, str]]:
    """Every per-account count an account can have (what erasure forgets)."""
    keys = {"email": email.strip().lower(), "user_id": user_id}
    return [(account_backoff(settings, door), keys[by]) for door, by in ACCOUNT_DOORS.items()]


def login_address_window(settings: Settings) -> Window:
    """Failed logins allowed per client address per window."""
    return Window(
        "login-address", settings.login_failures_per_address, settings.login_window_seconds
    )


def registration_window(settings: Settings) -> Window:
    """Registration attempts allowed per client address per window."""
    return Window(
        "register-address",
        settings.registrations_per_address,
        settings.registration_window_seconds,
    )
