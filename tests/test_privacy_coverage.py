"""Export and erasure are complete, proven by walking the schema rather than by a list.

Every table that refers to a user (a foreign key to users, directly or through another such
table, or an `email` column) is found in the metadata. The export must account for each one's
rows about the patient, and after erasure none of those rows may be left. A table added later
makes these tests fail until the export and the erasure cover it; the messages say how.
"""

from __future__ import annotations

import uuid
from typing import Any

import time_machine
from sqlalchemy import ColumnElement, Table, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import metadata
from app.privacy.export import EXPORTED_TABLES, NOT_EXPORTED
from tests.factories import Actor, Api
from tests.privacy_helpers import NOW, register, seed_everything

USERS = metadata.tables["users"]

EXPORT_HOWTO = """
Table {table!r} holds rows about a patient (it refers to users: {via}), but GET /v1/me/export
does not account for it. Either
  - export it: add a section to app/privacy/export.py (one set-based statement, no secrets),
    count its rows in `counts` under a kind, map {table!r} to that kind in EXPORTED_TABLES,
    and give tests/privacy_helpers.seed_everything at least one row of it; or
  - if nothing in it is the patient's to take away (token material, staff-only state), add
    {table!r} to NOT_EXPORTED in app/privacy/export.py with the reason.
"""

SEED_HOWTO = """
Table {table!r} is exported as {kind!r}, but the seeded patient has no row in it, so this test
cannot tell whether the export is right. Give tests/privacy_helpers.seed_everything a row of it.
"""

COUNT_HOWTO = """
Table {table!r} has {stored} rows about the patient, but the export counts {exported} under
{kind!r}. The section in app/privacy/export.py misses rows (or counts other people's).
"""

ERASURE_HOWTO = """
Table {table!r} still holds {left} rows about the erased patient (it refers to users: {via}).
Make DELETE /v1/me remove them: a foreign key to users (or to a table that has one) with
ON DELETE CASCADE is enough; otherwise delete them in app/privacy/erasure.py, in its one
transaction.
"""


def _user_links(table: Table, scope: dict[Table, Any]) -> list[str]:
    """How `table` refers to users: its columns that do, directly or through a parent."""
    via = [
        f"{key.parent.name} -> {key.column.table.name}"
        for key in table.foreign_keys
        if key.column.table is USERS or key.column.table in scope
    ]
    via += [f"{column.name} (an email)" for column in table.columns if column.name == "email"]
    return via


def _about(patient_id: uuid.UUID, email: str) -> dict[Table, ColumnElement[bool]]:
    """For every table that refers to a user, which of its rows are about this one."""
    scope: dict[Table, ColumnElement[bool]] = {USERS: USERS.c.id == patient_id}
    for table in metadata.sorted_tables:  # parents before children
        if table is USERS:
            continue
        conditions: list[ColumnElement[bool]] = []
        for key in table.foreign_keys:
            parent = key.column.table
            if parent is USERS:
                conditions.append(key.parent == patient_id)
            elif parent in scope:
                conditions.append(key.parent.in_(select(key.column).where(scope[parent])))
        conditions += [column == email for column in table.columns if column.name == "email"]
        if conditions:
            scope[table] = or_(false(), *conditions)
    return scope


def _rows_about(api: Api, patient: Actor) -> dict[str, int]:
    scope = _about(patient.id, patient.email.lower())

    async def work(session: AsyncSession) -> dict[str, int]:
        return {
            table.name: int(
                await session.scalar(select(func.count()).select_from(table).where(condition)) or 0
            )
            for table, condition in scope.items()
        }

    return api.db(work)


def _links() -> dict[str, list[str]]:
    scope: dict[Table, Any] = {USERS: True}
    found: dict[str, list[str]] = {"users": ["id"]}
    for table in metadata.sorted_tables:
        if table is USERS:
            continue
        via = _user_links(table, scope)
        if via:
            scope[table] = True
            found[table.name] = via
    return found


def _seeded(api: Api) -> tuple[Actor, Actor, Actor]:
    therapist = api.therapist()
    kari = register(api, therapist, "Kari Dekning")
    ola = register(api, therapist, "Ola Dekning")
    seed_everything(api, therapist, kari)
    seed_everything(api, therapist, ola)
    return therapist, kari, ola


def test_the_walk_finds_the_tables_it_must() -> None:
    """The walk itself can fail: it sees the tables known to hold patient rows."""
    found = _links()
    for name in ("consents", "assignment_doses", "refresh_tokens", "invitations", "access_log"):
        assert name in found, name
    assert "idempotency_keys" not in found  # no user column; the erasure sweep covers it


@time_machine.travel(NOW, tick=False)
def test_the_export_accounts_for_every_table_about_a_patient(api: Api) -> None:
    _, kari, _ = _seeded(api)
    document = api.client.get("/v1/me/export", headers=kari.headers).json()
    stored = _rows_about(api, kari)
    problems: list[str] = []
    for table, via in _links().items():
        if table in NOT_EXPORTED:
            assert NOT_EXPORTED[table].strip(), f"give the reason {table!r} is not exported"
            continue
        kind = EXPORTED_TABLES.get(table)
        if kind is None:
            problems.append(EXPORT_HOWTO.format(table=table, via=", ".join(via)))
        elif kind == "profile":
            assert (stored[table], document["profile"]["id"]) == (1, str(kari.id))
        elif stored[table] == 0:
            problems.append(SEED_HOWTO.format(table=table, kind=kind))
        elif document["counts"].get(kind) != stored[table]:
            exported = document["counts"].get(kind)
            problems.append(
                COUNT_HOWTO.format(table=table, stored=stored[table], exported=exported, kind=kind)
            )
    assert not problems, "\n".join(problems)
    stale = (set(EXPORTED_TABLES) | set(NOT_EXPORTED)) - set(_links())
    assert not stale, f"EXPORTED_TABLES / NOT_EXPORTED name tables that do not exist: {stale}"


@time_machine.travel(NOW, tick=False)
def test_erasure_leaves_no_row_about_the_patient_in_any_table(api: Api) -> None:
    _, kari, ola = _seeded(api)
    before = _rows_about(api, kari)
    assert all(before[name] > 0 for name, kind in EXPORTED_TABLES.items()), before
    ola_before = _rows_about(api, ola)
    erased = api.client.request(
        "DELETE", "/v1/me", json={"password": kari.password}, headers=kari.headers
    )
    assert erased.status_code == 204, erased.text
    left = _rows_about(api, kari)
    links = _links()
    problems = [
        ERASURE_HOWTO.format(table=name, left=count, via=", ".join(links[name]))
        for name, count in left.items()
        if count
    ]
    assert not problems, "\n".join(problems)
    assert _rows_about(api, ola) == ola_before  # the other patient keeps everything
