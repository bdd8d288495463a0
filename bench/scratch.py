"""What the benchmark scripts share: a scratch PostgreSQL database for one run, built by the
real migrations, and the settings a benchmark app runs with (cheap hashing)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from app.core.config import Settings
from app.core.migrate import upgrade


async def run_sql(url: str, sql: str) -> None:
    """One statement on its own connection (CREATE/DROP DATABASE, ANALYZE)."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new database on `server_url`'s server, migrated to head; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    url = server_url.rsplit("/", 1)[0] + "/" + name
    asyncio.run(run_sql(server_url, f'CREATE DATABASE "{name}"'))
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(run_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _exists(server_url: str, name: str) -> bool:
    connection = await asyncpg.connect(server_url)
    try:
        found = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    finally:
        await connection.close()
    return found is not None


def kept_database(server_url: str, name: str) -> tuple[str, bool]:
    """The database `name` on `server_url`'s server, kept between runs: created and migrated
    when it does not exist (then True: the caller seeds it), never dropped here."""
    url = server_url.rsplit("/", 1)[0] + "/" + name
    if asyncio.run(_exists(server_url, name)):
        return url, False
    asyncio.run(run_sql(server_url, f'CREATE DATABASE "{name}"'))
    upgrade(url)
    return url, True


def bench_settings(url: str) -> Settings:
    """The app's settings for a benchmark: cheap argon2, so logging in is not what is measured."""
    return Settings(
        env="test",
        database_url=url,
        secret_key="bench-" + "k" * 40 + uuid.uuid4().hex,
        argon2_memory_kib=8192,
        argon2_time_cost=1,
        argon2_parallelism=1,
    )
