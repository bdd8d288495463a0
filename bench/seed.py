"""Where the time of `mestring seed-demo --patients N --days D` goes, on PostgreSQL.

    .venv/bin/python -m bench.seed [--patients 500] [--days 365]
        [--db postgresql://postgres@127.0.0.1:5432/postgres] [--name mestring_bench_seed]

Creates a scratch database (`--name` and a suffix; on a shared server give your own prefix),
migrates it, runs the bulk seed as the CLI does (`app.dashboard.demo.seed_bulk`; the CLI's demo
accounts before it, a few rows with random ids, are left out so that the digests below
repeat), and prints the wall time, the
seeder's own CPU time and its PostgreSQL backend's (read from /proc: the server must run on
this machine; CPU holds still under load, wall time does not), the time spent in each bulk
write per table (rows, seconds), the statements' time (ANALYZE, the capture's statements),
digests of the seeded rows and of the sync change log (every seeded record must be in it).
The issue 12 target: 5 000 patients x 365 days in under 3 minutes. Not part of the test run;
the database is dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text

from app.core.deps import Services
from app.dashboard import demo, demo_write
from app.sync.models import sync_change_table
from bench.scratch import bench_settings, scratch_database

# Columns holding the moment of seeding (utcnow()), which differ between runs.
_NOW_COLUMNS = {"created_at", "updated_at", "changed_at", "password_hash"}


async def _fingerprints(session: Any) -> dict[str, str]:
    """An md5 per bulk table over every row (ordered by its text), and one over the change
    log's (patient, type, record, op) in `seq` order: the same seed gives the same digests."""
    found = {}
    for _key, table, _columns in demo_write.TABLES:
        columns = ", ".join(c.name for c in table.columns if c.name not in _NOW_COLUMNS)
        found[table.name] = await session.scalar(
            text(
                f"SELECT md5(string_agg(r, '|' ORDER BY r)) FROM "
                f"(SELECT ({columns})::text AS r FROM {table.name}) AS rows"
            )
        )
    found["sync_changes (in seq order)"] = await session.scalar(
        text(
            "SELECT md5(string_agg((patient_id, type, record_id, op)::text, '|' ORDER BY seq)) "
            "FROM sync_changes"
        )
    )
    return found


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a local process (the session's PostgreSQL backend)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _run(url: str, patients: int, days: int) -> None:
    services = Services.build(bench_settings(url))
    writes: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    statements: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    write = demo_write.BulkWriter._write

    async def timed(writer: Any, key: str, table: Any, columns: Any, rows: Any) -> None:
        began = time.perf_counter()
        writes[table.name][0] += len(rows)
        await write(writer, key, table, columns, rows)
        writes[table.name][1] += time.perf_counter() - began

    started: list[float] = []

    def before(*_a: Any) -> None:
        started.append(time.perf_counter())

    def after(_c: Any, _cur: Any, sql: str, *_a: Any) -> None:
        key = " ".join(sql.split())[:60]
        statements[key][0] += 1
        statements[key][1] += time.perf_counter() - started.pop()

    demo_write.BulkWriter._write = timed  # type: ignore[method-assign,assignment]
    event.listen(services.engine.sync_engine, "before_cursor_execute", before)
    event.listen(services.engine.sync_engine, "after_cursor_execute", after)
    try:
        async with services.sessions() as session:
            backend = int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)
            await session.commit()
            statements.clear()
            wall, cpu, db_cpu = time.perf_counter(), time.process_time(), _cpu(backend)
            seeded = await demo.seed_bulk(
                session, hasher=services.hasher, patients=patients, days=days
            )
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            db_cpu = _cpu(backend) - db_cpu
            seeding = dict(statements)
        async with services.sessions() as session:
            logged = await session.scalar(select(func.count()).select_from(sync_change_table))
            prints = await _fingerprints(session)
    finally:
        demo_write.BulkWriter._write = write  # type: ignore[method-assign]
        await services.engine.dispose()
    print(
        f"seed_bulk {patients} x {days}: {seeded.rows} rows in {wall:.1f} s wall, "
        f"{cpu:.1f} s of the seeder's CPU, {db_cpu:.1f} s of its PostgreSQL backend's CPU; "
        f"sync change log rows after: {logged}"
    )
    copied = sum(s for _n, s in writes.values())
    print(f"bulk writes {copied:.1f} s (each with its change-log rows):")
    for name, (rows, seconds) in sorted(writes.items(), key=lambda kv: -kv[1][1]):
        print(f"  {name:<28} {int(rows):>9} rows {seconds:>7.2f} s")
    print("fingerprints (md5 of the rows in a fixed order, the seeding moment's columns left out):")
    for name, digest in prints.items():
        print(f"  {name:<28} {digest}")
    print("statements (count, s):")
    for key, (count, seconds) in sorted(seeding.items(), key=lambda kv: -kv[1][1])[:8]:
        print(f"  {int(count):>5} {seconds:>7.2f} s  {key}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--name", default="mestring_bench_seed", help="scratch database prefix")
    args = parser.parse_args()
    with scratch_database(args.db, args.name) as url:
        asyncio.run(_run(url, args.patients, args.days))


if __name__ == "__main__":
    main()
