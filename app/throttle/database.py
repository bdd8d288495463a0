"""Throttling state in the database, each check-and-count one atomic statement.

Both kinds are one `INSERT … ON CONFLICT DO UPDATE … WHERE <not over the limit> RETURNING`:
PostgreSQL takes the row lock, so of twelve concurrent attempts exactly the allowed number get
a row back; SQLite serialises writers anyway. Every step commits at once, so a count never
waits on (or is undone with) the rest of the request.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import dialect_insert, rowcount
from app.throttle.models import rate_counter_table, throttle_backoff_table
from app.throttle.rules import Backoff, Rule, Window

_rc = rate_counter_table.c
_bo = throttle_backoff_table.c


def _window_start(rule: Window, now: int) -> int:
    return now - now % rule.window


class DatabaseThrottle:
    """Counters in `rate_counters` and `throttle_backoffs`, through the request's session."""

    async def attempt(self, session: AsyncSession, rule: Rule, key: str) -> int | None:
        """Count one attempt; seconds to wait when it is refused (a refusal is not counted)."""
        now = int(time.time())
        if isinstance(rule, Window):
            wait = await self._window_attempt(session, rule, rule.counter_key(key), now)
        else:
            wait = await self._backoff_attempt(session, rule, rule.counter_key(key), now)
        await session.commit()
        return wait

    async def _window_attempt(
        self, session: AsyncSession, rule: Window, full_key: str, now: int
    ) -> int | None:
        start = _window_start(rule, now)
        statement = dialect_insert(session, rate_counter_table).values(
            key=full_key, window_start=start, hits=1, expires_at=start + rule.window
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_rc.key, _rc.window_start],
            set_={"hits": _rc.hits + 1},
            where=_rc.hits < rule.limit,
        ).returning(_rc.hits)
        counted = await session.scalar(statement)
        return None if counted is not None else max(1, start + rule.window - now)

    async def _backoff_attempt(
        self, session: AsyncSession, rule: Backoff, full_key: str, now: int
    ) -> int | None:
        failures: ColumnElement[Any] = case((_bo.expires_at <= now, 1), else_=_bo.failures + 1)
        wait = _wait_sql(rule, failures)
        first = rule.wait_after(1)
        statement = dialect_insert(session, throttle_backoff_table).values(
            key=full_key,
            failures=1,
            blocked_until=now + first,
            expires_at=now + first + rule.memory,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_bo.key],
            set_={
                "failures": failures,
                "blocked_until": now + wait,
                "expires_at": now + wait + rule.memory,
            },
            where=_bo.blocked_until <= now,
        ).returning(_bo.failures)
        counted = await session.scalar(statement)
        if counted is not None:
            return None
        blocked_until = await session.scalar(select(_bo.blocked_until).where(_bo.key == full_key))
        return max(1, int(blocked_until or now) - now)

    async def undo(self, session: AsyncSession, rule: Rule, key: str) -> None:
        """The counted attempt turns out not to count (a success, for failures-only rules)."""
        full_key = rule.counter_key(key)
        if isinstance(rule, Window):
            start = _window_start(rule, int(time.time()))
            await session.execute(
                update(rate_counter_table)
                .where(_rc.key == full_key, _rc.window_start == start, _rc.hits > 0)
                .values(hits=_rc.hits - 1)
            )
        else:
            # One failure fewer, and the wait it added taken back with it.
            added = _wait_sql(rule, _bo.failures) - _wait_sql(rule, _bo.failures - 1)
            await session.execute(
                update(throttle_backoff_table)
                .where(_bo.key == full_key, _bo.failures > 0)
                .values(failures=_bo.failures - 1, blocked_until=_bo.blocked_until - added)
            )
        await session.commit()

    async def reset(self, session: AsyncSession, rule: Rule, key: str) -> None:
        """Forget the key's count (a success ends a back-off)."""
        await self.forget(session, [(rule, key)])
        await session.commit()

    async def forget(self, session: AsyncSession, entries: list[tuple[Rule, str]]) -> None:
        """Delete these keys' counts in the caller's transaction (erasure); no commit."""
        windows = [rule.counter_key(key) for rule, key in entries if isinstance(rule, Window)]
        backoffs = [rule.counter_key(key) for rule, key in entries if isinstance(rule, Backoff)]
        if windows:
            await session.execute(delete(rate_counter_table).where(_rc.key.in_(windows)))
        if backoffs:
            await session.execute(delete(throttle_backoff_table).where(_bo.key.in_(backoffs)))

    async def close(self) -> None:
        return None


def _wait_sql(rule: Backoff, failures: ColumnElement[Any]) -> ColumnElement[Any]:
    """`rule.wait_after(failures)` as a SQL CASE (the same steps, computed in Python)."""
    whens: list[tuple[ColumnElement[bool], int]] = [(failures < rule.free, 0)]
    whens.extend((failures == count, wait) for count, wait in rule.steps())
    return case(*whens, else_=rule.cap)


async def purge(session: AsyncSession, *, now: datetime, batch: int) -> int:
    """Delete up to `batch` expired rows of each throttle table; commits; rows deleted."""
    epoch = int(now.timestamp())
    total = 0
    for table, expires in (
        (rate_counter_table, _rc.expires_at),
        (throttle_backoff_table, _bo.expires_at),
    ):
        primary = tuple_(*table.primary_key.columns)
        # SKIP LOCKED (PostgreSQL): purges running at once on several hosts take different rows.
        stale = (
            select(*table.primary_key.columns)
            .where(expires <= epoch)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        result = await session.execute(delete(table).where(primary.in_(stale), expires <= epoch))
        total += rowcount(result)
    await session.commit()
    return total
