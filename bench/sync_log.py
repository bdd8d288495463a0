"""Cost of the sync change log on PostgreSQL (issue 17): the triggers' cost per row written,
and one delta page read, in the OR form and as a row comparison (app/sync/log.py uses the
latter).

    .venv/bin/python -m bench.sync_log     # BENCH_PG_URL, default postgres@127.0.0.1:5432

Builds a scratch database with the real migrations, inserts 20,000 exercise logs three times
with the triggers on and three times with them off (best of three each), then reads a page of
200 changes from the middle of the patient's 60,000 change rows (after ANALYZE).
"""

import asyncio
import os
import time
import uuid

import asyncpg

from app.core.migrate import upgrade

NAME = "mestring_bench_sync_log"
URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BASE = URL.rsplit("/", 1)[0]
ROWS = 20_000
USER = (
    "INSERT INTO users (id, email, password_hash, display_name, role, timezone, locale, "
    "created_at, on_call) VALUES ($1, 'bench@x.example', 'x', 'B', 'patient', 'Europe/Oslo', "
    "'nb', now(), false)"
)
LOGS = (
    "INSERT INTO exercise_logs (id, patient_id, exercise_kind, started_at, local_date, "
    "duration_seconds, details, body_hash, created_at) SELECT gen_random_uuid(), $1, "
    "'detached_mindfulness', now(), current_date, 300, '{}'::json, 'h', now() "
    "FROM generate_series(1, $2)"
)
PAGE = (
    "SELECT txid, seq, type, record_id FROM sync_changes WHERE patient_id = $1 AND {after} "
    "AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
    "ORDER BY txid, seq LIMIT 201"
)
FORMS = {
    "OR form": "(txid > $2 OR (txid = $2 AND seq > $3))",
    "row comparison": "(txid, seq) > ($2, $3)",
}


async def admin(sql: str) -> None:
    connection = await asyncpg.connect(URL)
    await connection.execute(sql)
    await connection.close()


async def best(repeat: int, work) -> float:
    fastest = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest


async def main() -> None:
    c = await asyncpg.connect(f"{BASE}/{NAME}")
    patient = uuid.uuid4()
    await c.execute(USER, patient)
    for label, switch in (("triggers on", None), ("triggers off", "DISABLE")):
        if switch:
            await c.execute(f"ALTER TABLE exercise_logs {switch} TRIGGER USER")
        took = await best(3, lambda: c.execute(LOGS, patient, ROWS))
        print(f"insert {ROWS} logs, {label}: {took * 1000:.0f} ms ({took / ROWS * 1e6:.1f} us/row)")
    await c.execute("ALTER TABLE exercise_logs ENABLE TRIGGER USER")
    await c.execute("ANALYZE sync_changes")
    middle = await c.fetchrow(
        "SELECT txid, seq FROM sync_changes WHERE patient_id = $1 "
        "ORDER BY txid, seq OFFSET 30000 LIMIT 1",
        patient,
    )
    for label, after in FORMS.items():
        query = PAGE.format(after=after)
        took = await best(20, lambda q=query: c.fetch(q, patient, middle["txid"], middle["seq"]))
        print(f"page of 200 changes of 60000, {label}: {took * 1000:.2f} ms")
    await c.close()


if __name__ == "__main__":
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{NAME}"'))
    try:
        upgrade(f"{BASE}/{NAME}")
        asyncio.run(main())
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
