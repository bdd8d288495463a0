"""Making two requests race for real: hold the first inside its transaction, prove the second
waits for it, then let both finish.

Two app instances (two engines, two event loops) share the database. The first request is held
at a chosen statement, after it has taken its locks and written; the second is then sent. On
PostgreSQL "waiting" means a backend of the test database in a lock wait; on SQLite, whose
writers queue for the whole database, it means the second has simply not finished.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import asyncpg
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.core.config import Settings


def waiting_on_a_lock(database_url: str) -> int:
    """How many backends of this PostgreSQL database are waiting for a lock."""

    async def count() -> int:
        connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            found = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        finally:
            await connection.close()
        return int(found)

    return asyncio.run(count())


def held(
    client: TestClient, marker: str, nth: int = 1, *, after: bool = False
) -> tuple[threading.Event, threading.Event]:
    """Hold the client's `nth` statement starting with `marker` until released: before it
    runs, or with `after` once it has run (its row locks taken, nothing committed yet)."""
    reached, release = threading.Event(), threading.Event()
    engine = client.app.state.services.engine.sync_engine  # type: ignore[attr-defined]
    seen = 0

    def hold(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal seen
        if statement.lstrip().upper().startswith(marker) and not reached.is_set():
            seen += 1
            if seen == nth:
                reached.set()
                release.wait(timeout=20)

    event.listen(engine, "after_cursor_execute" if after else "before_cursor_execute", hold)
    return reached, release


def waits(settings: Settings, racing: Future[Any], *, seconds: float = 10) -> bool:
    """True once the racing request is seen waiting for the held one (see the module text)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not racing.done():
        if settings.database_url.startswith("postgresql"):
            if waiting_on_a_lock(settings.database_url) > 0:
                return True
        else:
            time.sleep(0.5)
            return not racing.done()
        time.sleep(0.05)
    return False


def race(
    settings: Settings,
    first_client: TestClient,
    marker: str,
    first: Any,
    second: Any,
    nth: int = 1,
    *,
    after: bool = False,
) -> list[Any]:
    """Send `first` through `first_client`, hold it at its `nth` `marker` statement (after it
    has taken its locks; `after`: once that statement has run, for a statement that takes the
    lock itself), send `second`, prove it waits for the first, then release; both answers, in
    that order. The second then runs the branch for "someone got there first"."""
    reached, release = held(first_client, marker, nth, after=after)
    with ThreadPoolExecutor(2) as pool:
        holding: Future[Any] = pool.submit(first)
        try:
            assert reached.wait(timeout=10), "the first request never reached its write"
            racing: Future[Any] = pool.submit(second)
            assert waits(settings, racing), "the second request did not wait for the first"
            assert not racing.done()
        finally:
            release.set()
        return [holding.result(timeout=30), racing.result(timeout=30)]


def read_before_write(
    settings: Settings, first_client: TestClient, marker: str, first: Any, second: Any
) -> list[Any]:
    """Both transactions read before either writes: hold `first` just before its `marker`
    write (it has read, it holds no lock), let `second` read, write and commit meanwhile, then
    release `first`, which writes on what it read before the second committed. Both answers,
    in that order.

    PostgreSQL runs the second to the end while the first is held. SQLite cannot (its
    transactions begin IMMEDIATE, so the second queues behind the first): there the test
    proves that it queued, and the race degrades to one after the other.
    """
    reached, release = held(first_client, marker)
    with ThreadPoolExecutor(2) as pool:
        holding: Future[Any] = pool.submit(first)
        try:
            assert reached.wait(timeout=10), "the first request never reached its write"
            racing: Future[Any] = pool.submit(second)
            if settings.database_url.startswith("postgresql"):
                racing.result(timeout=15)  # finished while the first is still held
                assert not holding.done()
            else:
                assert waits(settings, racing), "the second request did not queue"
        finally:
            release.set()
        return [holding.result(timeout=30), racing.result(timeout=30)]


@contextmanager
def sent(client: TestClient) -> Iterator[list[str]]:
    """The statements this app instance sends meanwhile (to show which branch ran)."""
    statements: list[str] = []
    engine = client.app.state.services.engine.sync_engine  # type: ignore[attr-defined]

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def refusals(client: TestClient) -> Iterator[list[str]]:
    """The errors the database raised to this app instance meanwhile (e.g. a unique index
    refusing the loser of a race), as exception class names."""
    found: list[str] = []
    engine = client.app.state.services.engine.sync_engine  # type: ignore[attr-defined]

    def record(context: Any) -> None:
        found.append(type(context.sqlalchemy_exception).__name__)

    event.listen(engine, "handle_error", record)
    try:
        yield found
    finally:
        event.remove(engine, "handle_error", record)
