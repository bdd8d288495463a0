"""Shared throttling counters: in the database by default, in Redis when configured.

Both keep fixed windows: a key is blocked once it has `limit` hits in the current window, for
the rest of that window. Every worker on every host sees the same counts.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio
from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import FixedWindowRateLimiter
from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import dialect_insert
from app.throttle.models import rate_counter_table

_rc = rate_counter_table.c


@dataclass(frozen=True, slots=True)
class Rule:
    """`limit` hits per `window` seconds."""

    name: str
    limit: int
    window: int

    def counter_key(self, key: str) -> str:
        """Fixed-length and free of personal data (keys are emails and addresses)."""
        return f"{self.name}:{hashlib.sha256(key.encode()).hexdigest()}"


class Throttle(Protocol):
    async def retry_after(self, session: AsyncSession, rule: Rule, key: str) -> int | None:
        """Seconds to wait when `key` is over the rule's limit, else None."""

    async def hit(self, session: AsyncSession, rule: Rule, key: str) -> None:
        """Count one hit (committed at once, whatever the request does next)."""

    async def clear(self, session: AsyncSession, rule: Rule, key: str) -> None:
        """Forget the key's hits (e.g. after a successful login)."""

    async def close(self) -> None:
        """Release connections."""


class DatabaseThrottle:
    """Counters in `rate_counters`, written through the request's own session."""

    async def retry_after(self, session: AsyncSession, rule: Rule, key: str) -> int | None:
        now = int(time.time())
        start = now - now % rule.window
        hits = await session.scalar(
            select(_rc.hits).where(_rc.key == rule.counter_key(key), _rc.window_start == start)
        )
        if hits is not None and hits >= rule.limit:
            return start + rule.window - now
        return None

    async def hit(self, session: AsyncSession, rule: Rule, key: str) -> None:
        now = int(time.time())
        start = now - now % rule.window
        full_key = rule.counter_key(key)
        statement = dialect_insert(session, rate_counter_table).values(
            key=full_key, window_start=start, hits=1, expires_at=start + rule.window
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_rc.key, _rc.window_start], set_={"hits": _rc.hits + 1}
        )
        await session.execute(statement)
        await session.execute(
            delete(rate_counter_table).where(and_(_rc.key == full_key, _rc.expires_at <= now))
        )
        await session.commit()

    async def clear(self, session: AsyncSession, rule: Rule, key: str) -> None:
        await session.execute(delete(rate_counter_table).where(_rc.key == rule.counter_key(key)))
        await session.commit()

    async def close(self) -> None:
        return None


class RedisThrottle:
    """Counters in Redis through the `limits` library (fixed windows, same semantics)."""

    def __init__(self, url: str) -> None:
        plain = url.removeprefix("async+")
        # Our own pool, so that shutting the app down closes its connections.
        self._pool = redis.asyncio.ConnectionPool.from_url(plain)
        storage = RedisStorage(
            f"async+{plain}",
            implementation="redispy",
            key_prefix="mestring",
            connection_pool=self._pool,  # type: ignore[arg-type]
        )
        self._limiter = FixedWindowRateLimiter(storage)

    @staticmethod
    def _item(rule: Rule) -> RateLimitItemPerSecond:
        return RateLimitItemPerSecond(rule.limit, rule.window, namespace=rule.name)

    async def retry_after(self, session: AsyncSession, rule: Rule, key: str) -> int | None:
        item = self._item(rule)
        if await self._limiter.test(item, rule.counter_key(key)):
            return None
        stats = await self._limiter.get_window_stats(item, rule.counter_key(key))
        return max(1, int(stats.reset_time - time.time()) + 1)

    async def hit(self, session: AsyncSession, rule: Rule, key: str) -> None:
        await self._limiter.hit(self._item(rule), rule.counter_key(key))

    async def clear(self, session: AsyncSession, rule: Rule, key: str) -> None:
        await self._limiter.clear(self._item(rule), rule.counter_key(key))

    async def close(self) -> None:
        await self._pool.aclose()


def build_throttle(redis_url: str | None) -> Throttle:
    """Redis when configured, else the database."""
    return RedisThrottle(redis_url) if redis_url else DatabaseThrottle()
