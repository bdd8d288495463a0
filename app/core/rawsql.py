"""Hot statements straight on the session's asyncpg connection, inside the session's transaction.

Each statement through `AsyncSession.execute` costs SQLAlchemy ~150-200 Python calls around a
driver round trip of ~80 (issue 12). `run(session, statement, params)` sends a prebuilt Core
statement on PostgreSQL without them, and keeps what the app relies on:

- **one transaction**: the statement runs on the connection the session holds (checked out
  through `session.connection()`, so the session's transaction is open); SQLAlchemy's asyncpg
  adapter sends BEGIN lazily before its first statement, and so does this path, through the
  adapter's own `_start_transaction` when the adapter has none yet -- exactly once, whichever
  path runs first. COMMIT and ROLLBACK stay the session's (the adapter's transaction object).
- **the same SQL and values**: the statement is compiled once by the engine's dialect; its bind
  processors (UTC timestamps, JSON) and result processors run as SQLAlchemy would run them, on
  the adapter's own prepared-statement cache.
- **the same errors**: a driver error is translated by the adapter, then handed to SQLAlchemy's
  own `Connection._handle_dbapi_exception`: the same `DBAPIError` wrapping, `handle_error`
  events, disconnect detection and pool invalidation, so `database_unavailable` answers 503 as
  before.
- **the same hooks**: when listeners are registered on the engine (tests count statements or
  inject failures with `before_cursor_execute` / `after_cursor_execute`), they are called with
  the statement and its parameters, inside a greenlet so they may use the sync connection.

SQLite (and any other driver) keeps `session.execute`. This leans on private parts of
SQLAlchemy 2.1's asyncpg adapter (`_transaction`, `_start_transaction`, `_prepare`,
`_execute_mutex`, `_handle_exception`) and of `Connection`: an upgrade must re-run
tests/test_rawsql.py, which fails loudly if they move.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlalchemy.util import greenlet_spawn

Processor = Callable[[Any], Any] | None
_NO_VALUE = object()


class _Compiled:
    """A statement as the asyncpg dialect compiles it, with its parameter order and processors."""

    __slots__ = ("columns", "processors", "row", "slots", "sql", "statement")

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        # Held, so that its id (the cache key) cannot be reused by another statement.
        self.statement = statement
        compiled: Any = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        if (
            compiled.post_compile_params
            or compiled.literal_execute_params
            or any(bind.callable is not None for bind in compiled.binds.values())
        ):
            raise ValueError("expanding, literal-execute or callable parameters: stay ORM")
        self.sql: str = compiled.string
        processors = compiled._bind_processors
        # Per $n: (key the caller passes, value when not passed, bind processor)
        self.slots: list[tuple[str, Any, Processor]] = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            fixed = _NO_VALUE if bind.required else bind.effective_value
            self.slots.append((bind.key, fixed, processors.get(name)))
        self.columns = [(column.keyname, column.type) for column in compiled._result_columns]
        self.row: Any = None  # the row class and result processors, once the driver described it
        self.processors: list[tuple[int, Callable[[Any], Any]]] = []

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for key, fixed, process in self.slots:
            value = params.get(key, fixed)
            if value is _NO_VALUE:
                raise KeyError(f"no value for the required parameter {key!r}")
            values.append(value if process is None else process(value))
        return values

    def describe(self, attributes: Sequence[Any], dialect: Dialect) -> None:
        if self.columns and len(self.columns) == len(attributes):
            names = [name for name, _type in self.columns]
            for index, ((_name, type_), attribute) in enumerate(
                zip(self.columns, attributes, strict=True)
            ):
                process = type_._cached_result_processor(dialect, attribute.type.oid)
                if process is not None:
                    self.processors.append((index, process))
        else:  # a textual statement without typed columns: the driver's values, as SQLAlchemy
            names = [attribute.name for attribute in attributes]
        self.row = namedtuple("Row", names)  # type: ignore[misc]


_CACHE = "_mestring_rawsql"  # on the dialect instance: {id(statement): _Compiled}


def _compiled_for(statement: Executable, dialect: Dialect) -> _Compiled:
    """Compiled once per dialect instance (one per engine) and statement (meant for prebuilt
    module-level statements: each one given is kept); the cache goes with the engine."""
    cache: dict[int, _Compiled] | None = dialect.__dict__.get(_CACHE)
    if cache is None:
        cache = {}
        setattr(dialect, _CACHE, cache)
    found = cache.get(id(statement))
    if found is None:
        found = cache[id(statement)] = _Compiled(statement, dialect)
    return found


def _is_asyncpg(dialect: Dialect) -> bool:
    return dialect.driver == "asyncpg"


async def run(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any]
) -> Sequence[Any]:
    """Every row of `statement` (a prebuilt Core statement) with `params`, in the session's
    transaction; rows have attribute access as SQLAlchemy's do."""
    connection = await session.connection()
    sync = connection.sync_connection
    assert sync is not None  # an open AsyncConnection always has one
    dialect = sync.dialect
    if not _is_asyncpg(dialect):
        return (await connection.execute(statement, params)).all()
    compiled = _compiled_for(statement, dialect)
    return await _raw(sync, dialect, compiled, compiled.args(params))


async def _raw(
    sync: Connection, dialect: Dialect, compiled: _Compiled, args: list[Any]
) -> Sequence[Any]:
    sql = compiled.sql
    hooked = sync._has_events or sync.engine._has_events
    adapter: Any = sync.connection.dbapi_connection
    if hooked:
        await greenlet_spawn(_hook, sync, "before_cursor_execute", sql, args)
    try:
        async with adapter._execute_mutex:
            if adapter._transaction is None:
                await adapter._start_transaction()  # the adapter's own lazy BEGIN
            prepared, attributes = await adapter._prepare(
                sql,
                dialect._invalidate_schema_cache_asof,  # type: ignore[attr-defined]
            )
            records = await prepared.fetch(*args)
    except BaseException as error:  # exit exceptions too: SQLAlchemy invalidates on those
        await greenlet_spawn(_fail, sync, adapter, error, sql, args)
        raise  # _fail always raises; this keeps type checkers content
    if hooked:
        await greenlet_spawn(_hook, sync, "after_cursor_execute", sql, args)
    if compiled.row is None:
        compiled.describe(attributes, dialect)
    row, processors = compiled.row, compiled.processors
    if not processors:
        return [row(*record) for record in records]
    rows = []
    for record in records:
        values = list(record)
        for index, process in processors:
            values[index] = process(values[index])
        rows.append(row(*values))
    return rows


def _hook(sync: Connection, name: str, sql: str, args: list[Any]) -> None:
    """The engine's `before_cursor_execute` / `after_cursor_execute` listeners, as SQLAlchemy
    calls them (no cursor, no execution context); what one raises is raised as SQLAlchemy
    raises it (not a DBAPI error: as it is)."""
    try:
        for listener in getattr(sync.dispatch, name):
            listener(sync, None, sql, tuple(args), None, False)
    except BaseException as error:
        sync._handle_dbapi_exception(error, None, tuple(args), None, None)


def _fail(sync: Connection, adapter: Any, error: BaseException, sql: str, args: list[Any]) -> None:
    """Raise `error` as SQLAlchemy would have for a statement sent through the session."""
    if isinstance(error, adapter.dbapi.Error) or not isinstance(error, Exception):
        translated: BaseException = error
    else:
        try:
            adapter._handle_exception(error)  # the driver's error as the adapter's DBAPI error
        except Exception as raised:
            translated = raised
        else:  # pragma: no cover - _handle_exception never returns
            translated = error
    # A DBAPI error is wrapped (DBAPIError, connection_invalidated, pool invalidation); any
    # other error (a listener's, an OSError) is re-raised as it is, as SQLAlchemy does for a
    # statement that has an execution context.
    statement = sql if isinstance(translated, adapter.dbapi.Error) else None
    sync._handle_dbapi_exception(translated, statement, tuple(args), None, None)
