"""The bulk seed sets the seeded tables' keys and indexes aside on PostgreSQL and puts them back
before it commits (`app.dashboard.demo_defer`): the schema is the same after a seed, and a seed
that fails -- a row breaking a key found only when the keys come back -- leaves nothing behind."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select, text, update

from app.accounts.models import user_table
from app.checkins.models import checkin_table
from app.dashboard import demo
from app.dashboard.demo import seed_bulk
from tests.dashboard_helpers import NOW
from tests.factories import Api

# Every constraint, index and trigger of the public schema, with its full definition (a key's
# own triggers by the key's name: theirs are made from new ids).
PG_SCHEMA = """
SELECT 'constraint', conrelid::regclass::text, conname,
       concat_ws(' ', contype, pg_get_constraintdef(oid), convalidated, condeferrable,
                 condeferred)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'index', indrelid::regclass::text, indexrelid::regclass::text,
       concat_ws(' ', pg_get_indexdef(indexrelid), indisvalid, indisready, indisprimary,
                 indisunique, indisclustered)
FROM pg_index WHERE indrelid::regclass::text NOT LIKE 'pg_%'
  AND indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
UNION ALL
SELECT 'trigger', t.tgrelid::regclass::text,
       CASE WHEN t.tgisinternal THEN c.conname ELSE t.tgname END,  -- the key's, by its name
       concat_ws(' ', t.tgenabled, t.tgfoid::regproc, t.tgtype, t.tgdeferrable)
FROM pg_trigger AS t LEFT JOIN pg_constraint AS c ON c.oid = t.tgconstraint
WHERE t.tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
"""
SQLITE_SCHEMA = "SELECT type, tbl_name, name, sql FROM sqlite_master"


def _schema(api: Api) -> set[tuple[str, str, str, str]]:
    async def run(session: Any) -> set[tuple[str, str, str, str]]:
        dialect = (await session.connection()).dialect.name
        rows = await session.execute(text(PG_SCHEMA if dialect == "postgresql" else SQLITE_SCHEMA))
        return {(a, b, c, str(d)) for a, b, c, d in rows.all()}

    return api.db(run)


def _count(api: Api, table: Any) -> int:
    async def run(session: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(table)))

    return api.db(run)


@time_machine.travel(NOW, tick=False)
def test_bulk_seed_leaves_every_key_index_and_trigger_as_it_was(api: Api, backend: str) -> None:
    before = _schema(api)
    kinds = {kind for kind, *_rest in before}
    assert {"constraint", "index", "trigger"} <= kinds or backend == "sqlite"
    assert any(
        name == "fk_checkins_patient_id_users" or "REFERENCES users" in (sql or "")
        for _k, table, name, sql in before
        if table == "checkins"
    )
    api.db(lambda s: seed_bulk(s, hasher=api.services.hasher, patients=3, days=20, seed=3))
    assert _count(api, checkin_table) > 0
    assert _schema(api) == before


@time_machine.travel(NOW, tick=False)
def test_a_seed_whose_rows_break_a_key_leaves_nothing_behind(
    api: Api, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check-in of a patient that does not exist: on PostgreSQL the COPY takes it (its
    foreign key is set aside) and putting the key back refuses it; the seed fails and its
    transaction -- rows, change log, dropped keys and indexes, disabled triggers -- rolls back."""
    before = _schema(api)
    batch = demo._Caseload.batch

    def broken(self: Any, first: int, last: int) -> Any:
        rows = batch(self, first, last)
        stray = list(rows["checkins"][0])
        stray[0], stray[1] = uuid.uuid4(), uuid.uuid4()  # its own id, a patient nobody is
        rows["checkins"].append(tuple(stray))
        return rows

    monkeypatch.setattr(demo._Caseload, "batch", broken)
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        api.db(lambda s: seed_bulk(s, hasher=api.services.hasher, patients=2, days=10, seed=3))
    assert _schema(api) == before
    assert (_count(api, user_table), _count(api, checkin_table)) == (0, 0)
    assert _count(api, text("sync_changes")) == 0

    # the triggers capture again: a check-in written afterwards is in the change log
    monkeypatch.setattr(demo._Caseload, "batch", batch)
    api.db(lambda s: seed_bulk(s, hasher=api.services.hasher, patients=1, days=3, seed=3))

    def touch(session: Any) -> Any:
        async def run() -> int:
            one = select(checkin_table.c.id).limit(1).scalar_subquery()
            await session.execute(
                update(checkin_table).where(checkin_table.c.id == one).values(mood=2)
            )
            await session.commit()
            return int(await session.scalar(text("SELECT count(*) FROM sync_changes")))

        return run()

    logged = _count(api, text("sync_changes"))
    assert api.db(touch) == logged + 1
