"""The password hasher: the unknown-email path verifies against a real argon2id hash of the
configured cost that nothing matches, made without hashing; and no more hashes run at once
than `argon2_concurrency` (each holds `argon2_memory_kib` of memory while it runs)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from passlib.context import CryptContext

from app.core.security import PasswordHasher, unmatchable_hash
from tests.conftest import make_settings

SETTINGS = make_settings("sqlite+aiosqlite://", argon2_concurrency=1)


def test_the_unmatchable_hash_is_a_current_argon2id_hash_nothing_matches() -> None:
    context = CryptContext(
        schemes=["argon2"],
        argon2__type="ID",
        argon2__memory_cost=SETTINGS.argon2_memory_kib,
        argon2__time_cost=SETTINGS.argon2_time_cost,
        argon2__parallelism=SETTINGS.argon2_parallelism,
    )
    dummy = unmatchable_hash(SETTINGS)
    assert context.identify(dummy) == "argon2"
    assert not context.needs_update(dummy)  # same cost as a stored hash: same verify time
    assert not context.verify("", dummy)
    assert unmatchable_hash(SETTINGS) != dummy  # a fresh salt and digest each time
    real = context.hash("correct horse battery")
    assert context.verify("correct horse battery", real)
    # Same shape as a real hash of these parameters, only the salt and digest differ.
    assert dummy.rsplit("$", 2)[0] == real.rsplit("$", 2)[0]
    assert [len(part) for part in dummy.rsplit("$", 2)[1:]] == [
        len(part) for part in real.rsplit("$", 2)[1:]
    ]


def test_building_the_hasher_hashes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> str:
        raise AssertionError("hashed at start-up")

    monkeypatch.setattr(CryptContext, "hash", refuse)
    hasher = PasswordHasher(SETTINGS)
    assert asyncio.run(hasher.verify("anything at all", None)) == (False, None)


def test_no_more_hashes_at_once_than_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    inside = 0
    most = 0
    lock = threading.Lock()
    real_hash = CryptContext.hash

    def counting(self: CryptContext, secret: str, **kwargs: Any) -> str:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        try:
            time.sleep(0.05)  # long enough for the other threads to arrive
            result: str = real_hash(self, secret, **kwargs)
            return result
        finally:
            with lock:
                inside -= 1

    monkeypatch.setattr(CryptContext, "hash", counting)

    async def burst(hasher: PasswordHasher) -> list[str]:
        return await asyncio.gather(*(hasher.hash(f"password number {i}") for i in range(6)))

    assert len(set(asyncio.run(burst(PasswordHasher(SETTINGS))))) == 6
    assert most == 1
    wider = make_settings("sqlite+aiosqlite://", argon2_concurrency=3)
    most = 0
    asyncio.run(burst(PasswordHasher(wider)))
    assert most == 3  # the bound is the setting, not a lock of one
