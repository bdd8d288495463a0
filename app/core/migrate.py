"""Running Alembic from code: `mestring migrate` and the tests use this (the readiness probe
reads the head without Alembic: `app.core.schema_version`).

An upgrade holds a lock for its whole run, so migrations started at once (three replicas, an
init container per pod, a job retried by the orchestrator) run one after the other: the first
applies what is missing, the others find the database at head and do nothing. On PostgreSQL the
lock is a session-level advisory lock (released by the server if the process dies); on SQLite,
an exclusive `flock` on a file beside the database.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config import REPO_ROOT
from app.core.db import async_url

# Any constant works; it only has to be the same for every process migrating one database.
# (Advisory locks are per database, so other databases on the same server are not affected.)
MIGRATION_LOCK_KEY = 0x6D657374_72696E67 >> 1  # "mestring", made to fit a signed bigint
log = logging.getLogger("mestring.migrate")
_AlembicCommand = Callable[[Config], None]


def alembic_config(database_url: str, migrations_dir: Path | None = None) -> Config:
    """An Alembic config aimed at `database_url`."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(migrations_dir or REPO_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` under the migration lock (call from sync code)."""
    asyncio.run(_locked(database_url, lambda cfg: command.upgrade(cfg, revision)))


def downgrade(database_url: str, revision: str = "base") -> None:
    """Undo migrations down to `revision`, under the same lock."""
    asyncio.run(_locked(database_url, lambda cfg: command.downgrade(cfg, revision)))


async def _locked(database_url: str, run: _AlembicCommand) -> None:
    engine = create_async_engine(async_url(database_url), poolclass=NullPool, hide_parameters=True)
    try:
        async with engine.connect() as connection, migration_lock(connection):

            def _run(sync_connection: Connection) -> None:
                cfg = alembic_config(database_url)
                # migrations/env.py migrates this connection instead of opening its own.
                cfg.attributes["connection"] = sync_connection
                run(cfg)

            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


@asynccontextmanager
async def migration_lock(connection: AsyncConnection) -> AsyncIterator[None]:
    """Hold the database's migration lock (waiting for it, and saying so, when it is taken)."""
    if connection.dialect.name == "postgresql":
        async with _advisory_lock(connection):
            yield
    elif connection.dialect.name == "sqlite":
        with _sqlite_lock_file(connection) as fd:
            if not _try_flock(fd):
                log.info("another migration is running; waiting for it to finish")
                await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
            yield
    else:  # pragma: no cover - async_url admits only the two
        raise ValueError(f"no migration lock for {connection.dialect.name}")


@asynccontextmanager
async def _advisory_lock(connection: AsyncConnection) -> AsyncIterator[None]:
    key = {"key": MIGRATION_LOCK_KEY}
    taken = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), key)
    if not taken:
        log.info("another migration is running; waiting for it to finish")
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
    # A session-level lock outlives the transaction that took it; end that transaction so
    # Alembic starts (and commits) its own.
    await connection.commit()
    try:
        yield
    finally:
        await connection.rollback()
        await connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
        await connection.commit()


@contextmanager
def _sqlite_lock_file(connection: AsyncConnection) -> Iterator[int]:
    database = connection.engine.url.database or ""
    if database in ("", ":memory:"):  # an in-memory database has only this connection
        fd = os.open(os.devnull, os.O_RDONLY)
    else:
        fd = os.open(f"{database}.migrate-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        yield fd
    finally:
        os.close(fd)  # closing releases the flock


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
