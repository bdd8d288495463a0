"""Hot statements on the driver (app/core/rawsql.py): the session's transaction, SQLAlchemy's rows
and errors, the 503 of a lost connection, and the statement hooks tests rely on. On SQLite the
same calls take SQLAlchemy's path, so every test here runs on both databases but the last."""

from __future__ import annotations

import asyncio
import functools
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, insert, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import rawsql
from app.exercises.logs import _INSERT, _STORED
from app.exercises.models import exercise_log_table
from app.main import create_app
from tests.factories import Api

_NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _log(patient_id: uuid.UUID, log_id: uuid.UUID | None = None) -> dict[str, Any]:
    return {
        "id": log_id or uuid.uuid4(),
        "patient_id": patient_id,
        "assignment_id": None,
        "exercise_kind": "attention_training",
        "started_at": _NOW,
        "local_date": date(2026, 11, 20),
        "duration_seconds": 700,
        "details": {"phases_completed": ["selective"], "self_focus_before": 2},
        "body_hash": "0" * 64,
        "created_at": _NOW + timedelta(seconds=1),
    }


def _logs(api: Api) -> int:
    async def work(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(exercise_log_table)) or 0)

    return api.db(work)


def _insert_of(session: AsyncSession) -> Any:
    return _INSERT[session.get_bind().dialect.name]


def test_a_raw_write_is_in_the_sessions_transaction_and_rolls_back_with_it(api: Api) -> None:
    patient = api.patient()

    async def raw_then_rollback(session: AsyncSession) -> None:
        assert await rawsql.run(session, _insert_of(session), _log(patient.id))
        await session.rollback()

    async def orm_then_raw_then_rollback(session: AsyncSession) -> None:
        await session.execute(_insert_of(session), _log(patient.id))
        assert await rawsql.run(session, _insert_of(session), _log(patient.id))
        await session.rollback()

    async def raw_then_orm_then_commit(session: AsyncSession) -> None:
        assert await rawsql.run(session, _insert_of(session), _log(patient.id))
        await session.execute(_insert_of(session), _log(patient.id))
        await session.commit()

    api.db(raw_then_rollback)
    api.db(orm_then_raw_then_rollback)
    assert _logs(api) == 0
    api.db(raw_then_orm_then_commit)
    assert _logs(api) == 2


def test_one_begin_whichever_path_runs_first(api: Api) -> None:
    """The raw path and SQLAlchemy's see one transaction (one BEGIN): the same transaction id."""
    api.patient()

    async def ids(session: AsyncSession, raw_first: bool) -> list[Any]:
        if session.get_bind().dialect.name != "postgresql":
            # SQLite: the raw call is SQLAlchemy's own; one connection, one transaction.
            rows = await rawsql.run(session, text("SELECT count(*) AS n FROM users"), {})
            return [rows[0].n, rows[0].n]
        raw = text("SELECT txid_current() AS id")
        found = []
        for use_raw in (raw_first, not raw_first, raw_first):
            if use_raw:
                found.append((await rawsql.run(session, raw, {}))[0].id)
            else:
                found.append(await session.scalar(raw))
        await session.rollback()
        return found

    for raw_first in (True, False):
        found = api.db(functools.partial(ids, raw_first=raw_first))
        assert len(set(found)) == 1, found


def test_raw_rows_are_sqlalchemys_rows(api: Api) -> None:
    patient = api.patient()
    values = _log(patient.id)

    async def both(session: AsyncSession) -> tuple[list[Any], list[Any], list[Any]]:
        inserted = await rawsql.run(session, _insert_of(session), values)
        await session.commit()
        raw = await rawsql.run(session, _STORED, {"log_id": values["id"]})
        orm = (await session.execute(_STORED, {"log_id": values["id"]})).all()
        return list(inserted), list(raw), list(orm)

    inserted, raw, orm = api.db(both)
    assert [tuple(row) for row in raw] == [tuple(row) for row in orm]
    assert raw[0]._fields == tuple(orm[0]._fields)
    row = raw[0]
    assert (row.id, row.started_at, row.local_date, row.details, row.created_at) == (
        values["id"],
        _NOW,
        values["local_date"],
        values["details"],
        values["created_at"],
    )
    assert row.started_at.tzinfo is not None
    assert inserted[0].started_at == _NOW
    assert inserted[0].details == values["details"]


def test_a_refused_raw_statement_raises_what_sqlalchemy_raises(api: Api) -> None:
    patient = api.patient()
    values = _log(patient.id)
    plain = insert(exercise_log_table)  # no ON CONFLICT: a second row with the id is refused
    seen: list[str] = []
    engine = api.services.engine.sync_engine

    def record(context: Any) -> None:
        seen.append(type(context.sqlalchemy_exception).__name__)

    async def twice(session: AsyncSession, raw: bool) -> tuple[type[BaseException], str]:
        await session.execute(plain, values)
        again = rawsql.run(session, plain, values) if raw else session.execute(plain, values)
        with pytest.raises(sa_exc.DBAPIError) as refused:
            await again
        await session.rollback()
        return type(refused.value), type(refused.value.orig).__name__

    event.listen(engine, "handle_error", record)
    try:
        through_raw = api.db(lambda session: twice(session, True))
        through_orm = api.db(lambda session: twice(session, False))
    finally:
        event.remove(engine, "handle_error", record)
    assert through_raw == through_orm
    assert through_raw[0] is sa_exc.IntegrityError
    assert seen == ["IntegrityError", "IntegrityError"]  # handle_error saw both
    assert _logs(api) == 0


def test_the_statement_hooks_see_raw_statements_and_may_fail_them(api: Api) -> None:
    patient = api.patient()
    engine = api.services.engine.sync_engine
    seen: list[tuple[str, str]] = []

    def before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement == "SELECT 42" or statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE
            return
        conn.exec_driver_sql("SELECT 42")  # a listener may use the connection (greenlet)
        seen.append(("before", statement.split()[0]))
        if "fail-me" in statement:
            raise ConnectionResetError("the database went away")

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement != "SELECT 42" and not statement.startswith("BEGIN"):
            seen.append(("after", statement.split()[0]))

    async def work(session: AsyncSession) -> None:
        await rawsql.run(session, _insert_of(session), _log(patient.id))
        with pytest.raises(ConnectionResetError):
            await rawsql.run(session, text("SELECT 1 AS one -- fail-me"), {})
        await session.rollback()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        api.db(work)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    # the failed statement was seen before it failed, and never after
    assert seen == [("before", "INSERT"), ("after", "INSERT"), ("before", "SELECT")]


@pytest.mark.postgresql_only
def test_a_connection_lost_under_the_session_check_is_a_503_and_is_not_reused(
    api: Api, backend: str
) -> None:
    if backend != "postgresql":
        return  # the SQLite run has no driver path to lose (the 503s: tests/test_outages.py)
    app = create_app(api.services.settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        patient = Api(client).patient()
        engine = app.state.services.engine.sync_engine
        url = api.services.settings.database_url.replace("+asyncpg", "")
        killed: list[int] = []
        disconnects: list[bool] = []

        def kill(pid: int) -> None:
            async def terminate() -> None:
                connection = await asyncpg.connect(url)
                try:
                    await connection.execute("SELECT pg_terminate_backend($1)", pid)
                finally:
                    await connection.close()

            worker = threading.Thread(target=lambda: asyncio.run(terminate()))
            worker.start()
            worker.join(timeout=20)

        def lose(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.startswith("SELECT users.role") and not killed:
                pid = conn.connection.driver_connection.get_server_pid()
                killed.append(pid)
                kill(pid)

        def record(context: Any) -> None:
            disconnects.append(context.is_disconnect)

        event.listen(engine, "before_cursor_execute", lose)
        event.listen(engine, "handle_error", record)
        try:
            lost = client.get("/v1/me", headers=patient.headers)
        finally:
            event.remove(engine, "before_cursor_execute", lose)
            event.remove(engine, "handle_error", record)
        assert killed
        assert lost.status_code == 503, lost.text
        assert lost.json()["code"] == "database_unavailable"
        assert disconnects == [True]
        for _ in range(8):  # the pool has 5: a dead connection handed out again would fail one
            assert client.get("/v1/me", headers=patient.headers).status_code == 200
