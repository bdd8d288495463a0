"""README's two PostgreSQL roles work: the owner migrates, the app role serves with no right to
change the schema (Running in production, "The database: two roles")."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import asyncpg
import pytest
from fastapi.testclient import TestClient

from app.core.migrate import upgrade
from app.main import create_app
from tests.checkin_helpers import answers
from tests.conftest import POSTGRES_URL, _dsn, _pg_admin, _pg_url, make_settings
from tests.factories import Api

pytestmark = pytest.mark.postgresql_only  # PostgreSQL roles


def _as(role: str, database: str) -> str:
    base = _pg_url(database)
    scheme, rest = base.split("://", 1)
    return f"{scheme}://{role}@{rest.split('@', 1)[-1]}"


async def _run_as_superuser(database: str, statements: list[str]) -> None:
    connection = await asyncpg.connect(_dsn(POSTGRES_URL).rsplit("/", 1)[0] + f"/{database}")
    try:
        for sql in statements:
            await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def roles() -> Iterator[tuple[str, str]]:
    suffix = uuid.uuid4().hex[:10]
    owner, app, database = f"mestring_owner_{suffix}", f"mestring_app_{suffix}", f"roles_{suffix}"
    asyncio.run(_pg_admin(f'CREATE ROLE "{owner}" LOGIN'))
    asyncio.run(_pg_admin(f'CREATE ROLE "{app}" LOGIN'))
    asyncio.run(_pg_admin(f'CREATE DATABASE "{database}" OWNER "{owner}"'))
    try:
        # The statements of README, in order.
        asyncio.run(
            _run_as_superuser(
                database,
                [
                    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                    f'GRANT USAGE ON SCHEMA public TO "{app}"',
                    f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
                    f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{app}"',
                    f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA public '
                    f'GRANT USAGE, SELECT ON SEQUENCES TO "{app}"',
                ],
            )
        )
        yield _as(owner, database), _as(app, database)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        asyncio.run(_pg_admin(f'DROP ROLE IF EXISTS "{app}"'))
        asyncio.run(_pg_admin(f'DROP ROLE IF EXISTS "{owner}"'))


def test_the_owner_migrates_and_the_app_role_serves_without_ddl(roles: tuple[str, str]) -> None:
    owner_url, app_url = roles
    upgrade(owner_url)
    with TestClient(create_app(make_settings(app_url))) as client:
        assert client.get("/readyz").json() == {"status": "ready"}
        api = Api(client)
        therapist = api.therapist()
        patient = api.patient(therapist)
        today = datetime.now(UTC).date().isoformat()
        written = client.put(
            f"/v1/me/checkins/{today}", json={"answers": answers(4)}, headers=patient.headers
        )
        assert written.status_code == 201, written.text
        read = client.get(f"/v1/patients/{patient.id}/checkins", headers=therapist.headers)
        assert read.status_code == 200  # and the access log took its row
        assert client.get("/v1/me/access-log", headers=patient.headers).json()["data"]

    async def try_ddl() -> str:
        connection = await asyncpg.connect(_dsn(app_url))
        try:
            await connection.execute("CREATE TABLE intruder (id int)")
        except asyncpg.InsufficientPrivilegeError:
            return "refused"
        finally:
            await connection.close()
        return "allowed"

    assert asyncio.run(try_ddl()) == "refused"
