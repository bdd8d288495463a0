"""Throttling state in Redis: windows through `limits` (its atomic hit), back-offs through one
Lua script (atomic in Redis). Keys expire by themselves, so nothing here needs purging."""

from __future__ import annotations

import time

import redis.asyncio
from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import FixedWindowRateLimiter
from sqlalchemy.ext.asyncio import AsyncSession

from app.throttle.rules import Backoff, Rule, Window

_PREFIX = "mestring"
# KEYS[1]: the back-off hash. ARGV: now, free, base, cap, memory (seconds).
# Returns {1, failures} when the attempt is counted, {0, seconds to wait} when it is refused.
_WAIT = """
local function wait_after(failures, free, base, cap)
    if failures < free then
        return 0
    end
    return math.min(cap, base * 2 ^ math.min(failures - free, 32))
end
"""
# KEYS[1]: the back-off hash. ARGV: now, free, base, cap, memory (seconds).
# Returns {1, failures} when the attempt is counted, {0, seconds to wait} when it is refused.
_BACKOFF_ATTEMPT = (
    _WAIT
    + """
local now = tonumber(ARGV[1])
local free, base, cap, memory = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]),
    tonumber(ARGV[5])
local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked_until') or '0')
if blocked > now then
    return {0, blocked - now}
end
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0') + 1
local wait = wait_after(failures, free, base, cap)
redis.call('HSET', KEYS[1], 'failures', failures, 'blocked_until', now + wait)
redis.call('EXPIRE', KEYS[1], wait + memory)
return {1, failures}
"""
)
# One failure fewer, and the wait it added taken back. ARGV: free, base, cap.
_BACKOFF_UNDO = (
    _WAIT
    + """
local free, base, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if failures > 0 then
    local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked_until') or '0')
    local added = wait_after(failures, free, base, cap) - wait_after(failures - 1, free, base, cap)
    redis.call('HSET', KEYS[1], 'failures', failures - 1, 'blocked_until', blocked - added)
end
return failures
"""
)


class RedisThrottle:
    """Counters in Redis, shared by every worker on every host."""

    def __init__(self, url: str) -> None:
        plain = url.removeprefix("async+")
        # Our own pool, so that shutting the app down closes its connections.
        self._pool = redis.asyncio.ConnectionPool.from_url(plain)
        self._redis = redis.asyncio.Redis(connection_pool=self._pool)
        self._storage = RedisStorage(
            f"async+{plain}",
            implementation="redispy",
            key_prefix=_PREFIX,
            connection_pool=self._pool,  # type: ignore[arg-type]
        )
        self._limiter = FixedWindowRateLimiter(self._storage)
        self._attempt = self._redis.register_script(_BACKOFF_ATTEMPT)
        self._undo = self._redis.register_script(_BACKOFF_UNDO)

    @staticmethod
    def _item(rule: Window) -> RateLimitItemPerSecond:
        return RateLimitItemPerSecond(rule.limit, rule.window, namespace=rule.name)

    @staticmethod
    def _backoff_key(rule: Backoff, key: str) -> str:
        return f"{_PREFIX}:backoff:{rule.counter_key(key)}"

    async def attempt(self, session: AsyncSession, rule: Rule, key: str) -> int | None:
        """Count one attempt; seconds to wait when it is refused."""
        if isinstance(rule, Window):
            item = self._item(rule)
            if await self._limiter.hit(item, rule.counter_key(key)):
                return None
            stats = await self._limiter.get_window_stats(item, rule.counter_key(key))
            return max(1, int(stats.reset_time - time.time()) + 1)
        counted, value = await self._attempt(
            keys=[self._backoff_key(rule, key)],
            args=[int(time.time()), rule.free, rule.base, rule.cap, rule.memory],
        )
        return None if int(counted) == 1 else max(1, int(value))

    async def undo(self, session: AsyncSession, rule: Rule, key: str) -> None:
        """The counted attempt turns out not to count."""
        if isinstance(rule, Window):
            item = self._item(rule)
            await self._storage.incr(item.key_for(rule.counter_key(key)), rule.window, amount=-1)
        else:
            await self._undo(
                keys=[self._backoff_key(rule, key)], args=[rule.free, rule.base, rule.cap]
            )

    async def reset(self, session: AsyncSession, rule: Rule, key: str) -> None:
        """Forget the key's count."""
        await self.forget(session, [(rule, key)])

    async def forget(self, session: AsyncSession, entries: list[tuple[Rule, str]]) -> None:
        """Delete these keys' counts (at once: Redis has no part in the database transaction)."""
        for rule, key in entries:
            if isinstance(rule, Window):
                await self._limiter.clear(self._item(rule), rule.counter_key(key))
            else:
                await self._redis.delete(self._backoff_key(rule, key))

    async def close(self) -> None:
        await self._pool.aclose()
