"""The measures migration on a database with data: new columns are added in place, existing rows
read as the defaults, and the access log keeps its append-only triggers (SQLite copies a table
to alter it unless told otherwise, and a copy would drop them)."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from app.core.db import async_url
from app.core.migrate import downgrade, upgrade

BEFORE = "3c5e7a9b1d20"  # PHQ-9 and GAD-7 seeded, measures not yet


def _run(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    async def work() -> list[list[tuple[object, ...]]]:
        engine = create_async_engine(async_url(url))
        results = []
        try:
            async with engine.begin() as connection:
                for sql in statements:
                    found = await connection.execute(text(sql))
                    results.append([tuple(row) for row in found] if found.returns_rows else [])
        finally:
            await engine.dispose()
        return results

    return asyncio.run(work())


def _refused(url: str, sql: str) -> bool:
    try:
        _run(url, sql)
    except Exception:  # the driver's own error type differs per backend
        return True
    return False


def test_existing_rows_get_the_defaults_and_the_log_stays_append_only(
    empty_database: str, backend: str
) -> None:
    upgrade(empty_database, BEFORE)
    patient, therapist = uuid.uuid4(), uuid.uuid4()

    def as_sql(value: uuid.UUID) -> str:  # SQLite keeps UUIDs as 32 hex digits
        return f"'{value.hex}'" if backend == "sqlite" else f"'{value}'"

    users = ", ".join(
        f"({as_sql(uid)}, '{role}@x.example', 'h', 'N', '{role}', 'Europe/Oslo', 'nb', "
        "'2026-01-01 00:00:00+00:00')"
        for uid, role in ((patient, "patient"), (therapist, "therapist"))
    )
    _run(
        empty_database,
        "INSERT INTO users (id, email, password_hash, display_name, role, timezone, locale, "
        f"created_at) VALUES {users}",
        "INSERT INTO access_log (id, patient_id, reader_id, reader_role, reader_name, kind, "
        f"records, request_id, created_at) VALUES ({as_sql(uuid.uuid4())}, {as_sql(patient)}, "
        f"{as_sql(therapist)}, 'therapist', 'N', 'profile', 1, 'r1', "
        "'2026-01-02 00:00:00+00:00')",
    )
    upgrade(empty_database)
    (reasons, on_call) = _run(
        empty_database, "SELECT reason FROM access_log", "SELECT on_call FROM users ORDER BY role"
    )
    assert reasons == [("care_link",)]
    assert [bool(value) for (value,) in on_call] == [False, False]
    assert _refused(empty_database, "UPDATE access_log SET records = 2")
    assert _refused(empty_database, "DELETE FROM access_log")
    # and back: the columns go in place too, the rows and the log's guard stay
    downgrade(empty_database, BEFORE)
    (count,) = _run(empty_database, "SELECT count(*) FROM access_log")
    assert count == [(1,)]
    assert _refused(empty_database, "DELETE FROM access_log")
