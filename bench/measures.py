"""What answering a measure costs next to logging an exercise: statements and in-process time.

    .venv/bin/python -m bench.measures [--n 300] [--db postgresql://postgres@127.0.0.1:5432/postgres]

Creates a scratch database (mestring_bench_measures_*), migrates it, and sends N requests of
each kind through the real app in-process (no network, no wrk: a relative figure for the
write paths, not a load test). Prints the statements per request and the median and p95 time.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from app.accounts import service as accounts
from app.accounts.models import Role
from app.accounts.schemas import UserCreate
from app.main import create_app
from bench.scratch import bench_settings, scratch_database


def _bodies(kind: str, n: int) -> list[tuple[str, dict[str, Any]]]:
    start = datetime.now(UTC) - timedelta(days=1)
    out = []
    for i in range(n):
        at = (start + timedelta(seconds=i)).isoformat()
        if kind == "exercise_log":
            body = {
                "id": str(uuid.uuid4()),
                "exercise_kind": "attention_training",
                "started_at": at,
                "duration_seconds": 700,
                "phases_completed": ["selective", "switching", "divided"],
                "self_focus_before": 2,
                "self_focus_after": 0,
            }
            out.append(("/v1/me/exercise-logs", body))
        else:
            item9 = 1 if kind == "phq9_alert" else 0
            answers = {f"phq9_{k}": 1 for k in range(1, 9)} | {"phq9_9": item9}
            body = {"id": str(uuid.uuid4()), "answers": answers, "answered_at": at}
            out.append(("/v1/me/measures/phq9/responses", body))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with scratch_database(args.db, "mestring_bench_measures") as url:
        settings = bench_settings(url)
        with TestClient(create_app(settings)) as client:
            services = client.app.state.services  # type: ignore[attr-defined]

            async def make() -> None:
                async with services.sessions() as session:
                    data = UserCreate(
                        email="bench@clinic.example.com",
                        password="correct horse battery",
                        display_name="Bench",
                    )
                    await accounts.create_user(
                        session, hasher=services.hasher, data=data, role=Role.patient
                    )

            assert client.portal is not None
            client.portal.call(make)
            token = client.post(
                "/v1/auth/token",
                data={"username": "bench@clinic.example.com", "password": "correct horse battery"},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            statements: list[str] = []

            def count(_c: Any, _cur: Any, sql: str, *_a: Any) -> None:
                if not sql.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
                    statements.append(sql)

            event.listen(services.engine.sync_engine, "before_cursor_execute", count)
            print(f"{'request':<14} {'statements':>10} {'median ms':>10} {'p95 ms':>8}")
            for kind in ("exercise_log", "phq9", "phq9_alert"):
                times = []
                statements.clear()
                for path, body in _bodies(kind, args.n):
                    started = time.perf_counter()
                    response = client.post(path, json=body, headers=headers)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 201, response.text
                times.sort()
                print(
                    f"{kind:<14} {len(statements) / args.n:>10.1f} "
                    f"{statistics.median(times):>10.2f} {times[int(len(times) * 0.95)]:>8.2f}"
                )


if __name__ == "__main__":
    main()
