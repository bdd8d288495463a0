"""`mestring migrate` is safe to start several times at once (replicas, init containers, a
retried job): the runs take turns under one lock, every one succeeds, the schema is built once."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from app.core.config import REPO_ROOT
from app.core.db import async_url
from app.core.migrate import migration_lock
from app.core.schema_version import is_migrated
from tests.ops_helpers import MESTRING, command_env, json_lines


def start_migration(url: str, log: Path) -> subprocess.Popen[str]:
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603 (our own command)
            [MESTRING, "migrate"],
            env=command_env(MESTRING_DATABASE_URL=url),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )


def migrated(url: str) -> bool:
    async def check() -> bool:
        engine = create_async_engine(async_url(url))
        try:
            async with engine.connect() as connection:
                return await is_migrated(connection, REPO_ROOT / "migrations")
        finally:
            await engine.dispose()

    return asyncio.run(check())


def test_two_migrations_at_once_both_succeed(empty_database: str, tmp_path: Path) -> None:
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    runs = [start_migration(empty_database, log) for log in logs]
    codes = [run.wait(120) for run in runs]
    outputs = [log.read_text() for log in logs]
    assert codes == [0, 0], outputs
    for output in outputs:
        assert json_lines(output)[-1]["msg"] == "database migrated"
    applied = [output.count("Running upgrade") for output in outputs]
    assert sorted(applied)[0] == 0, applied  # the second found the work done
    assert migrated(empty_database)


def test_a_migration_waits_while_another_holds_the_lock(
    empty_database: str, tmp_path: Path
) -> None:
    log = tmp_path / "waiting.log"

    async def hold_the_lock_then_let_go() -> subprocess.Popen[str]:
        engine = create_async_engine(async_url(empty_database))
        try:
            async with engine.connect() as connection, migration_lock(connection):
                run = start_migration(empty_database, log)
                deadline = time.monotonic() + 60
                while "waiting for it to finish" not in log.read_text():
                    assert run.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, log.read_text()
                    await asyncio.sleep(0.1)
                await asyncio.sleep(0.5)
                assert run.poll() is None, "it went ahead although the lock was held"
                assert not await is_migrated(connection, REPO_ROOT / "migrations")
                return run
        finally:
            await engine.dispose()

    run = asyncio.run(hold_the_lock_then_let_go())
    assert run.wait(120) == 0, log.read_text()
    assert migrated(empty_database)
