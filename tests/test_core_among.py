"""`among` / `among_bound` (issue 12): the same rows as `IN (...)` on both databases, in one
array parameter on PostgreSQL and an expanding IN on SQLite."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.core.among import DIALECTS, among, among_bound, dialect_of
from tests.factories import Api

_u = user_table.c
_BOUND = {d: select(_u.id).where(among_bound(_u.id, "ids", d)) for d in DIALECTS}


def test_among_selects_exactly_the_listed_rows(api: Api) -> None:
    therapist = api.therapist()
    patients = [api.patient(therapist).id for _ in range(3)]
    unknown = uuid.uuid4()
    cases = [[], [patients[0]], patients, [patients[1], unknown], [unknown], patients * 2]

    async def work(session: AsyncSession) -> list[tuple[set[uuid.UUID], set[uuid.UUID]]]:
        found = []
        for ids in cases:
            per_call = set(await session.scalars(select(_u.id).where(among(session, _u.id, ids))))
            bound = set(await session.scalars(_BOUND[dialect_of(session)], {"ids": ids}))
            found.append((per_call, bound))
        return found

    for ids, (per_call, bound) in zip(cases, api.db(work), strict=True):
        expected = set(ids) - {unknown}
        assert per_call == expected
        assert bound == expected


def test_postgresql_gets_one_array_parameter_and_sqlite_an_in_list(api: Api) -> None:
    async def work(session: AsyncSession) -> tuple[str, str]:
        statement = select(_u.id).where(among(session, _u.id, [uuid.uuid4(), uuid.uuid4()]))
        return dialect_of(session), str(statement.compile(session.get_bind()))

    dialect, sql = api.db(work)
    if dialect == "postgresql":
        assert "= ANY (" in sql
        assert " IN " not in sql
    else:
        assert " IN (" in sql
