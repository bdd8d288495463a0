"""CPU time of the app per request, in-process: a figure that survives a loaded machine.

    .venv/bin/python -m bench.cpu --db postgresql://postgres@127.0.0.1:5432/mestring_bench [--n 300]

Drives the ASGI app directly (no server, no network: a bare ASGI driver of a few lines) on an
already seeded database (`mestring seed-demo`), with fresh sessions for the bulk therapist and
patients, and prints per endpoint the median CPU time of this process (`time.process_time`)
and wall time per request. The database server's own time is not in the CPU figure. Use it to
compare two versions of the request path on the same database: run, change, run again.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from app.core.config import Settings
from app.main import create_app
from bench.run import SECRET, token

Message = dict[str, Any]


async def _lifespan(app: Any) -> Callable[[], Awaitable[None]]:
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan"}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started

    async def stop() -> None:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task

    return stop


async def _call(app: Any, method: str, path: str, auth: str, body: bytes = b"") -> int:
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"authorization", f"Bearer {auth}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("bench", 80),
    }
    sent = False
    status = 0

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


Maker = Callable[[int], tuple[str, str, str, bytes]]


async def prepare(db: str) -> tuple[Any, dict[str, Maker], Callable[[], Awaitable[None]]]:
    """The started app, a request maker per endpoint, and the app's shutdown."""
    conn = await asyncpg.connect(db)
    patients = [
        r["id"]
        for r in await conn.fetch(
            "SELECT id FROM users WHERE email LIKE 'bulk-patient-%' ORDER BY email LIMIT 50"
        )
    ]
    therapist = await conn.fetchval(
        "SELECT id FROM users WHERE email = 'bulk-therapist@demo.example.com'"
    )
    tokens = {}
    for user_id in [*patients, therapist]:
        sid = uuid.uuid4()
        await conn.execute(
            "INSERT INTO auth_sessions (id, user_id, created_at) VALUES ($1, $2, now())",
            sid,
            user_id,
        )
        tokens[user_id] = token(user_id, sid)
    await conn.close()
    settings = Settings(
        env="production",
        database_url=db.replace("postgresql://", "postgresql+asyncpg://"),
        secret_key=SECRET,  # the key bench.run.token signs with
    )
    app = create_app(settings)
    stop = await _lifespan(app)
    today = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    started = (datetime.now(UTC) - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    answers = {f"rtw{i:02d}": 4 for i in range(1, 12)}

    def checkin(i: int) -> tuple[str, str, str, bytes]:
        body = json.dumps({"answers": answers, "mood": 6}).encode()
        return "PUT", f"/v1/me/checkins/{today}", tokens[patients[i % 50]], body

    def log(i: int) -> tuple[str, str, str, bytes]:
        body = {
            "id": str(uuid.uuid4()),
            "exercise_kind": "attention_training",
            "started_at": started,
            "duration_seconds": 700,
            "phases_completed": ["selective", "switching", "divided"],
            "self_focus_before": 2,
            "self_focus_after": 0,
        }
        return "POST", "/v1/me/exercise-logs", tokens[patients[i % 50]], json.dumps(body).encode()

    def today_get(i: int) -> tuple[str, str, str, bytes]:
        return "GET", "/v1/me/today", tokens[patients[i % 50]], b""

    def worklist(i: int) -> tuple[str, str, str, bytes]:
        return "GET", "/v1/patients?limit=50", tokens[therapist], b""

    makers: dict[str, Maker] = {
        "PUT checkin": checkin,
        "POST exercise-log": log,
        "GET today": today_get,
        "GET worklist": worklist,
    }
    return app, makers, stop


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--worklist-n", type=int, default=30)
    # uvicorn runs on uvloop (installed with the app); asyncio's loop is the default here so
    # that figures compare with earlier runs. The loop's own work is C code under uvloop.
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    app, makers, stop = await prepare(args.db)
    print(
        f"{'endpoint':<22} {'CPU ms/req (median)':>20} {'wall ms (median)':>17}"
        f" {'Python calls/req':>17}"
    )
    try:
        for name, n in (
            ("PUT checkin", args.n),
            ("POST exercise-log", args.n),
            ("GET today", args.n),
            ("GET worklist", args.worklist_n),
        ):
            make = makers[name]
            cpu, wall = [], []
            for i in range(n + 5):
                method, path, auth, body = make(i)
                c, w = time.process_time(), time.perf_counter()
                status = await _call(app, method, path, auth, body)
                if i >= 5:  # warm-up
                    cpu.append((time.process_time() - c) * 1000)
                    wall.append((time.perf_counter() - w) * 1000)
                assert status < 300, (name, status)
            # Function calls per request: deterministic, so it compares versions even when
            # the machine is loaded and the CPU times are noisy.
            profile = cProfile.Profile()
            for i in range(10):
                method, path, auth, body = make(n + 5 + i)
                profile.enable()
                await _call(app, method, path, auth, body)
                profile.disable()
            calls = pstats.Stats(profile).total_calls / 10  # type: ignore[attr-defined]
            print(
                f"{name:<22} {statistics.median(cpu):>20.2f} {statistics.median(wall):>17.2f}"
                f" {calls:>17.0f}"
            )
    finally:
        await stop()


if __name__ == "__main__":
    if "uvloop" in sys.argv:
        import uvloop

        uvloop.run(main())
    else:
        asyncio.run(main())
