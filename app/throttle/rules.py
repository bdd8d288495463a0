"""The two kinds of throttling rule, and the back-off arithmetic (pure, tested by hand).

- `Window`: at most `limit` counted attempts per fixed window of `window` seconds, per key
  (per client address). Used where a wall is right: many accounts from one address.
- `Backoff`: per account, each failure in a row doubles the wait before the next attempt,
  from `base` seconds once `free` failures have happened, up to `cap`; a success resets it.
  There is never a fixed wall, so someone else's wrong guesses delay the owner by minutes at
  most (OWASP Authentication Cheat Sheet, "Account lockout": prefer an increasing delay to a
  lock that an attacker can trigger on purpose).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def _counter_key(name: str, key: str) -> str:
    """Fixed-length and free of personal data (keys are emails, user ids and addresses)."""
    return f"{name}:{hashlib.sha256(key.encode()).hexdigest()}"


@dataclass(frozen=True, slots=True)
class Window:
    """`limit` attempts per `window` seconds."""

    name: str
    limit: int
    window: int

    def counter_key(self, key: str) -> str:
        """The stored key of `key`'s counter."""
        return _counter_key(self.name, key)


@dataclass(frozen=True, slots=True)
class Backoff:
    """After `free` failures in a row, wait `base` seconds, doubling per failure, at most `cap`."""

    name: str
    free: int
    base: int
    cap: int

    def counter_key(self, key: str) -> str:
        """The stored key of `key`'s failure count."""
        return _counter_key(self.name, key)

    def wait_after(self, failures: int) -> int:
        """Seconds the next attempt must wait after `failures` failures in a row."""
        return backoff_seconds(failures, free=self.free, base=self.base, cap=self.cap)

    def steps(self) -> list[tuple[int, int]]:
        """(failures, wait) for every count below the cap, for building the SQL CASE."""
        found: list[tuple[int, int]] = []
        failures = self.free
        while (wait := self.wait_after(failures)) < self.cap:
            found.append((failures, wait))
            failures += 1
        return found

    @property
    def memory(self) -> int:
        """Failures are forgotten this long after the wait they caused has ended."""
        return self.cap


Rule = Window | Backoff


def backoff_seconds(failures: int, *, free: int, base: int, cap: int) -> int:
    """0 while `failures` < `free`; then base, 2·base, 4·base, … capped at `cap`.

    With the defaults (free 5, base 30 s, cap 900 s): failures 1 to 4 → 0, 5 → 30, 6 → 60,
    7 → 120, 8 → 240, 9 → 480, 10 and more → 900.
    """
    if failures < free:
        return 0
    exponent = failures - free
    if exponent >= 32:  # 2**32 · base is past any cap; spare the big integer
        return cap
    return min(cap, base * (1 << exponent))
