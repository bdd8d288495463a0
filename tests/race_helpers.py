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
from concurrent.futures import Future
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


def held(client: TestClient, marker: str, nth: int = 1) -> tuple[threading.Event, threading.Event]:
    """Hold the client's `nth` statement starting with `marker` (before it runs) until released."""
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

    event.listen(engine, "before_cursor_execute", hold)
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
