"""The issue-10 migration keeps existing data meaningful (both databases).

- follow-ups answered before it were answered by the patient in the app;
- a plan's full-return date becomes `rtw_completions.plan_return_on` (a row is added where
  there was none), so the follow-ups keep counting from the same date;
- existing diary entries are work days.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from app.core.db import async_url
from app.core.migrate import alembic_config, upgrade

REVISION = "a1dfffeeb3ff"
NOW = datetime(2027, 1, 10, 12, tzinfo=UTC)

users = sa.table(
    "users",
    sa.column("id", sa.Uuid),
    sa.column("email", sa.String),
    sa.column("password_hash", sa.String),
    sa.column("role", sa.String),
    sa.column("display_name", sa.String),
    sa.column("timezone", sa.String),
    sa.column("locale", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
follow_ups = sa.table(
    "follow_ups",
    sa.column("id", sa.Uuid),
    sa.column("patient_id", sa.Uuid),
    sa.column("months", sa.Integer),
    sa.column("full_return_on", sa.Date),
    sa.column("due_on", sa.Date),
    sa.column("source", sa.String),
    sa.column("status", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("answered_by", sa.Uuid),
    sa.column("answered_by_role", sa.String),
    sa.column("contacted_by", sa.String),
)
plans = sa.table(
    "rtw_plans",
    sa.column("patient_id", sa.Uuid),
    sa.column("version", sa.Integer),
    sa.column("body", sa.JSON),
    sa.column("full_return_on", sa.Date),
    sa.column("updated_by_role", sa.String),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
completions = sa.table(
    "rtw_completions",
    sa.column("patient_id", sa.Uuid),
    sa.column("rtw_completed_on", sa.Date),
    sa.column("plan_return_on", sa.Date),
    sa.column("source", sa.String),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
diary = sa.table(
    "work_diary_entries",
    sa.column("id", sa.Uuid),
    sa.column("patient_id", sa.Uuid),
    sa.column("local_date", sa.Date),
    sa.column("worked_minutes", sa.Integer),
    sa.column("planned_from_plan", sa.Boolean),
    sa.column("revision", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("day_type", sa.String),
)


def _run(url: str, work: Any) -> Any:
    async def go() -> Any:
        engine = create_async_engine(async_url(url))
        try:
            async with engine.begin() as connection:
                return await work(connection)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_existing_answers_plans_and_diary_entries_survive(empty_database: str) -> None:
    config = alembic_config(empty_database)
    before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    upgrade(empty_database, before)
    one, two = uuid.uuid4(), uuid.uuid4()  # one: a plan and a record; two: a plan only
    answered, pending = uuid.uuid4(), uuid.uuid4()

    async def fill(connection: Any) -> None:
        for pid in (one, two):
            await connection.execute(
                sa.insert(users).values(
                    id=pid,
                    email=f"{pid}@example.com",
                    password_hash="x",
                    role="patient",
                    display_name="P",
                    timezone="Europe/Oslo",
                    locale="nb",
                    created_at=NOW,
                )
            )
            await connection.execute(
                sa.insert(plans).values(
                    patient_id=pid,
                    version=1,
                    body={"stages": []},
                    full_return_on=date(2026, 12, 1),
                    updated_by_role="patient",
                    updated_at=NOW,
                )
            )
        base = {
            "patient_id": one,
            "full_return_on": date(2026, 9, 1),
            "source": "therapist",
            "created_at": NOW,
        }
        await connection.execute(
            sa.insert(follow_ups).values(
                id=answered, months=3, due_on=date(2026, 12, 1), status="answered", **base
            )
        )
        await connection.execute(
            sa.insert(follow_ups).values(
                id=pending, months=6, due_on=date(2027, 3, 1), status="pending", **base
            )
        )
        await connection.execute(
            sa.insert(completions).values(
                patient_id=one,
                rtw_completed_on=date(2026, 9, 1),
                source="therapist",
                updated_at=NOW,
            )
        )
        await connection.execute(
            sa.insert(diary).values(
                id=uuid.uuid4(),
                patient_id=one,
                local_date=date(2027, 1, 4),
                worked_minutes=120,
                planned_from_plan=False,
                revision=1,
                created_at=NOW,
                updated_at=NOW,
            )
        )

    # (`plan_return_on`, `answered_by`, `day_type`, ... do not exist yet: none is inserted.)
    _run(empty_database, fill)
    upgrade(empty_database, REVISION)

    async def read(connection: Any) -> dict[str, Any]:
        answers = await connection.execute(
            sa.select(follow_ups.c.id, follow_ups.c.answered_by, follow_ups.c.answered_by_role)
            .add_columns(follow_ups.c.contacted_by)
            .order_by(follow_ups.c.months)
        )
        records = await connection.execute(
            sa.select(
                completions.c.patient_id,
                completions.c.rtw_completed_on,
                completions.c.plan_return_on,
                completions.c.source,
            )
        )
        types = await connection.execute(sa.select(diary.c.day_type))
        return {
            "answers": [tuple(row) for row in answers],
            "records": {row.patient_id: tuple(row)[1:] for row in records},
            "types": [row.day_type for row in types],
        }

    found = _run(empty_database, read)
    assert found["answers"] == [
        (answered, one, "patient", "app"),
        (pending, None, None, None),
    ]
    assert found["records"] == {
        one: (date(2026, 9, 1), date(2026, 12, 1), "therapist"),
        two: (None, date(2026, 12, 1), "rtw_plan"),
    }
    assert found["types"] == ["work"]
