"""Every test runs on SQLite and on PostgreSQL, on a schema built by the real migrations.

MESTRING_TEST_DBS picks the backends (default "sqlite,postgresql"); MESTRING_TEST_POSTGRES_URL
points at a server where we may create databases (default postgres@127.0.0.1:5432/test).
An unreachable PostgreSQL fails the run; it never skips.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import metadata
from app.core.migrate import upgrade
from app.main import create_app
from tests.factories import Api

BACKENDS = [b.strip() for b in os.environ.get("MESTRING_TEST_DBS", "sqlite,postgresql").split(",")]
POSTGRES_URL = os.environ.get(
    "MESTRING_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SECRET = "test-signing-key-that-is-long-and-random-enough-0123456789-abcdefghijklmnop"
# Tables filled by migrations with reference data; truncation between tests keeps them.
REFERENCE_TABLES: set[str] = {"alembic_version", "questionnaire_versions"}
CASCADE_ONLY_TABLES: set[str] = {"access_log", "risk_alerts", "measure_responses"}


# MESTRING_TEST_BROWSER=0 leaves the browser tests (tests/browser/, marked `browser`) out, for a
# machine without Debian's chromium and chromium-driver; otherwise they run and need them.
BROWSER = os.environ.get("MESTRING_TEST_BROWSER", "1").strip() != "0"


def _left_out(item: pytest.Item) -> bool:
    if "postgresql" not in BACKENDS and item.get_closest_marker("postgresql_only"):
        return True
    return not BROWSER and item.get_closest_marker("browser") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgresql_only` are left out, not skipped, when the run asked for no
    PostgreSQL (MESTRING_TEST_DBS), and those marked `browser` when MESTRING_TEST_BROWSER=0:
    a skip would read as "could not run"."""
    left_out = [item for item in items if _left_out(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _pg_admin(sql: str) -> None:
    try:
        connection = await asyncpg.connect(_dsn(POSTGRES_URL), timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise RuntimeError(
            f"PostgreSQL was asked for (MESTRING_TEST_DBS={','.join(BACKENDS)}) but "
            f"{POSTGRES_URL} cannot be reached: {exc}"
        ) from exc
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _pg_url(name: str) -> str:
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def make_database(backend: str, tmp: Path) -> tuple[str, str]:
    """A new, empty database: (url, name)."""
    name = f"mestring_test_{uuid.uuid4().hex[:12]}"
    if backend == "sqlite":
        return f"sqlite:///{tmp / name}.db", name
    if backend == "postgresql":
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        return _pg_url(name), name
    raise ValueError(f"unknown test backend {backend!r}")


def drop_database(backend: str, name: str) -> None:
    if backend == "postgresql":
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database per backend for the whole run."""
    url, name = make_database(backend, tmp_path_factory.mktemp(backend))
    upgrade(url)
    yield url
    drop_database(backend, name)


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, for migration tests."""
    url, name = make_database(backend, tmp_path)
    yield url
    drop_database(backend, name)


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": SECRET,
        # Real argon2id, with a small memory cost so hundreds of logins stay quick.
        "argon2_memory_kib": 8192,
        "argon2_time_cost": 1,
        "argon2_parallelism": 1,
        "db_pool_size": 5,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def _truncate(engine: AsyncEngine) -> None:
    tables = [t.name for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replica mode skips triggers, such as the access log's append-only guard.
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
            quoted = ", ".join(f'"{name}"' for name in tables)
            await connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            # The access log and risk alerts only let rows go with their patient (triggers), so
            # they (and the responses alerts hang on) are emptied by the cascade from users.
            for name in reversed(tables):
                if name not in CASCADE_ONLY_TABLES:
                    await connection.execute(text(f'DELETE FROM "{name}"'))
            # The deletes above wrote sync change-log rows (triggers); they go last.
            await connection.execute(text("DELETE FROM sync_changes"))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The real app on the test database, emptied first."""
    app = create_app(settings)
    with TestClient(app) as test_client:
        assert test_client.portal is not None
        test_client.portal.call(_truncate, app.state.services.engine)
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)
