"""Database plumbing: URL normalisation, the async engine, sessions, shared column types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Table, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    AsyncSessionTransaction,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

# Set before any table model is imported, so every constraint gets a predictable name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel table model, for Core statements on hot paths."""
    table = model.__table__  # type: ignore[attr-defined]
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


def dialect_insert(session: AsyncSession, table: Table) -> Any:
    """The database's own INSERT, whose ON CONFLICT clauses SQLite and PostgreSQL both speak."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched (typed access to CursorResult.rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)


_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def async_url(raw: str) -> URL:
    """Accept `sqlite:///path`, `postgresql://…` (or `postgres://…`) and pick the async driver."""
    url = make_url(raw.replace("postgres://", "postgresql://", 1))
    backend = url.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(f"unsupported database backend: {backend}")
    if url.drivername == backend:
        url = url.set(drivername=_ASYNC_DRIVERS[backend])
    return url


def is_sqlite(url: URL) -> bool:
    """True for the embedded default."""
    return url.get_backend_name() == "sqlite"


def create_engine(raw_url: str, *, pool_size: int = 10, pool_timeout: float = 10) -> AsyncEngine:
    """One engine per process; SQLite gets WAL, foreign keys and IMMEDIATE transactions.

    A request that waits longer than `pool_timeout` seconds for a connection fails with
    SQLAlchemy's TimeoutError, which the request middleware answers as 503 (see
    `database_unavailable`). There is no overflow: a loaded worker never opens (and closes)
    connections beyond its pool, it queues for one -- connection churn cost more CPU than the
    wait (issue 12), and a worker is one core, so more connections add no throughput."""
    url = async_url(raw_url)
    if is_sqlite(url):
        if url.database and url.database != ":memory:":
            from pathlib import Path

            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            connect_args={"timeout": 30},
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=pool_timeout,
            hide_parameters=True,
        )
        _tune_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        # JIT compiles a plan when its estimated cost is high, as the worklist's aggregate's is
        # at a few hundred patients: seconds of compilation for milliseconds of work. Off.
        connect_args={"server_settings": {"jit": "off"}},
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=pool_timeout,
        pool_recycle=1800,
        hide_parameters=True,  # bound values never reach an exception message or a log
    )


# SQLSTATE classes and codes that mean "the database cannot serve us now", not "our bug":
# 08 connection exceptions, 53 insufficient resources (too many connections, disk full),
# 57P01-57P03 shutdown / crash recovery / cannot connect now.
_PG_UNAVAILABLE_PREFIXES = ("08", "53", "57P01", "57P02", "57P03")
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error")


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database is unreachable, restarting or out of connections (an
    outage to retry after), rather than a failed statement (a bug, which stays a 500)."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, OSError | ConnectionError):  # refused, reset, unreachable
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        sqlstate = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
        if sqlstate.startswith(_PG_UNAVAILABLE_PREFIXES):
            return True
        cause = getattr(orig, "__cause__", None)
        if isinstance(cause, OSError | ConnectionError) or type(cause).__name__ in {
            "ConnectionDoesNotExistError",
            "CannotConnectNowError",
            "TooManyConnectionsError",
        }:
            return True
        message = str(orig).lower()
        return isinstance(exc, sa_exc.OperationalError) and any(
            text in message for text in _SQLITE_UNAVAILABLE
        )
    return False


def _tune_sqlite(engine: AsyncEngine) -> None:
    # SQLite upgrades a read lock to a write lock lazily and can then fail with "database is
    # locked" under concurrency; taking the write lock at BEGIN serialises writers cleanly.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class AppSession(AsyncSession):
    """An AsyncSession whose commits can be held back until the request's answer is known.

    After `hold_commits()`, `commit()` only releases a SAVEPOINT and `rollback()` only rolls
    back to one, so a service keeps its own commit/rollback logic while everything it writes
    stays in one database transaction; `finish_hold(commit=True)` then commits that
    transaction for real (with whatever was written last, e.g. the stored answer of an
    Idempotency-Key), `finish_hold(commit=False)` rolls all of it back.
    """

    _held: AsyncSessionTransaction | None = None

    async def hold_commits(self) -> None:
        """From now on commit() and rollback() act on a SAVEPOINT inside one transaction."""
        if self._held is None:
            self._held = await self.begin_nested()

    async def commit(self) -> None:
        """Commit; while held, release the SAVEPOINT and open the next one."""
        if self._held is None:
            await super().commit()
            return
        await self._held.commit()
        self._held = await self.begin_nested()

    async def rollback(self) -> None:
        """Roll back; while held, only to the last commit() (the held transaction goes on)."""
        if self._held is None:
            await super().rollback()
            return
        await self._held.rollback()
        self._held = await self.begin_nested()

    async def finish_hold(self, *, commit: bool) -> None:
        """End holding: commit the whole transaction, or roll all of it back."""
        held, self._held = self._held, None
        if not commit:
            await super().rollback()
            return
        if held is not None and held.is_active:
            await held.commit()
        await super().commit()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AppSession]:
    """Sessions that keep loaded values after commit (responses are built after the commit)."""
    return async_sessionmaker(engine, class_=AppSession, expire_on_commit=False, autoflush=False)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
