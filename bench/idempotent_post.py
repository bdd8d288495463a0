"""Cost of an Idempotency-Key on a creating POST (issue 11), in-process, on PostgreSQL.

Statements per request (counted at the cursor, deterministic) and the median / p90 wall time
of `POST /v1/me/exercise-logs` with and without a key, through the real app (TestClient),
on a scratch database on `BENCH_PG_URL`. Run from the repository root:

    .venv/bin/python -m bench.idempotent_post            # N=400 requests per variant
    PYTHONPATH=/path/to/other/checkout .venv/bin/python -m bench.idempotent_post

(the second form measures another checkout's `app`, e.g. main, for a before/after pair).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.accounts import service as accounts
from app.accounts.models import Role
from app.accounts.schemas import UserCreate
from app.core.config import Settings
from app.core.migrate import upgrade
from app.main import create_app

PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
N = int(os.environ.get("N", "400"))


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _log() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "exercise_kind": "detached_mindfulness",
        "started_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "duration_seconds": 300,
        "detachment_before": 20,
        "detachment_after": 70,
    }


def main() -> None:
    name = f"bench_idem_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{PG.rsplit('/', 1)[0]}/{name}"
        upgrade(url)
        settings = Settings(
            env="test",
            database_url=url,
            secret_key="bench-secret-key-long-and-random-enough-0123456789abcdef",
            argon2_memory_kib=8192,
            argon2_time_cost=1,
            argon2_parallelism=1,
        )
        app = create_app(settings)
        with TestClient(app) as client:
            services = app.state.services
            data = UserCreate(
                email="bench@home.example.com", password="correct horse battery", display_name="B"
            )

            async def patient() -> None:
                async with services.sessions() as session:
                    await accounts.create_user(
                        session, hasher=services.hasher, data=data, role=Role.patient
                    )

            assert client.portal is not None
            client.portal.call(patient)
            login = {"username": data.email, "password": data.password}
            token = client.post("/v1/auth/token", data=login).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            statements: list[str] = []

            def count(*args: Any) -> None:
                statements.append(str(args[2]))

            for label, keyed in (("with Idempotency-Key", True), ("without key", False)):

                def post(keyed: bool = keyed) -> Any:
                    key = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
                    return client.post("/v1/me/exercise-logs", json=_log(), headers=headers | key)

                for _ in range(30):
                    post()
                times: list[float] = []
                statements.clear()
                event.listen(services.engine.sync_engine, "before_cursor_execute", count)
                for _ in range(N):
                    started = time.perf_counter()
                    assert post().status_code == 201
                    times.append((time.perf_counter() - started) * 1000)
                event.remove(services.engine.sync_engine, "before_cursor_execute", count)
                print(
                    f"{label}: median {statistics.median(times):.2f} ms, "
                    f"p90 {sorted(times)[int(N * 0.9)]:.2f} ms, "
                    f"statements/request {len(statements) / N:.1f}"
                )
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
