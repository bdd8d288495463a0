"""Expiry that happens: what has outlived its purpose is deleted (`mestring purge`).

- Idempotency keys older than their lifetime (7 days); sealed answers (one-time secrets) are
  blanked as soon as they expire (minutes).
- Sessions ended (revoked, or past their absolute lifetime) more than 30 days ago, with their
  refresh tokens; expired refresh tokens of live sessions.
- Expired throttling counters and back-offs (Redis expires its own).
- Sync change-log rows (tombstones too) older than 90 days (app/sync/purge.py).
- Pushes finished more than 90 days ago, and reminder claims that old (app/reminders/purge.py).

Every step deletes at most `batch` rows per statement and commits, and the loop runs until a
round finds nothing, so a purge never holds locks for long. It is idempotent, and several hosts
may run it at the same moment: on PostgreSQL each statement picks rows with SKIP LOCKED, so
concurrent purges share the work instead of waiting on each other. Requests also clean up what
they touch (a caller's own expired key, an account's own old sessions at login).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import sessions
from app.core.config import Settings
from app.idempotency import service as idempotency
from app.reminders import purge as pushes
from app.sync import purge as sync_log
from app.throttle import database as throttle

Step = Callable[[AsyncSession, datetime, int], Awaitable[int]]


async def purge_expired(
    session: AsyncSession, *, settings: Settings, now: datetime, batch: int = 1000
) -> dict[str, int]:
    """Run every purge step to the end; rows touched per step."""
    max_age = timedelta(days=settings.session_max_days)
    steps: dict[str, Step] = {
        "idempotency_keys": lambda s, n, b: idempotency.purge(s, now=n, batch=b),
        "sessions": lambda s, n, b: sessions.purge(s, now=n, batch=b, max_age=max_age),
        "throttle": lambda s, n, b: throttle.purge(s, now=n, batch=b),
        "sync_changes": lambda s, n, b: sync_log.purge(s, now=n, batch=b),
        "pushes": lambda s, n, b: pushes.purge(s, now=n, batch=b),
    }
    done: dict[str, int] = {}
    for name, step in steps.items():
        total = 0
        while (touched := await step(session, now, batch)) > 0:
            total += touched
        done[name] = total
    return done
