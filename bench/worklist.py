"""The worklist's statements on a seeded database: database time per statement, per request.

    .venv/bin/python -m bench.worklist --db postgresql://postgres@127.0.0.1:5432/<seeded db>
        [--reps 10] [--explain]

Runs the worklist service (`GET /v1/patients?limit=50`, sorted by flags) for the bulk
therapist of `mestring seed-demo` directly on the app's engine (jit off, as the app), `--reps`
times after one warm-up, and prints the median and slowest time the database took for the
page statement (every linked patient's facts and flags, sorted and cut), the page's 28-day
adherence, and all statements of the request. Times are from the driver's side of each
statement (SQLAlchemy's cursor events), so on a loaded machine they are what the database and
the connection took, not the Python around them; beside them, when the server runs on this
machine, the CPU time its backend process spent per request (utime + stime from
/proc/<pid>/stat, 10 ms ticks): unlike wall times, that does not grow with the load.
`--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the page statement once. Then the adherence
statement alone (`app.exercises.adherence_sql.adherence_totals`) over the whole caseload, for
windows of 7, 28 and 90 days (`--reps` times each, after a warm-up), wall and backend CPU: the
part of the page statement this benchmark was written for. Read-only: the database is left as
it was.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import Integer, event, func, literal, select, text

from app.accounts.models import user_table
from app.boosters.rule_service import default_params
from app.care.models import care_link_table
from app.core.db import create_engine, session_factory
from app.core.sqldays import day_number
from app.core.time import local_today, utcnow
from app.dashboard import service
from app.exercises import adherence_sql
from bench.scratch import bench_settings

THERAPIST = "bulk-therapist@demo.example.com"
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def backend_cpu_ms(pid: int) -> float | None:
    """CPU time (user + system) the server process `pid` has used, when it runs here."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * TICK_MS


def _cpu_line(label: str, values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return f"{label:>14}: backend CPU not readable (server not on this machine)"
    return (
        f"{label:>14}: backend CPU median {statistics.median(known):7.1f} ms, "
        f"sum {sum(known):8.1f} ms over {len(known)}"
    )


def _which(sql: str) -> str:
    if "adh7_" in sql:
        return "page"
    if "adh28_" in sql:
        return "adherence_28d"
    return "other"


async def _explain(engine: Any, sql: str, params: Any) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        for row in await driver.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *params):
            print(row[0])


async def main_async(url: str, reps: int, explain: bool, windows: list[int]) -> None:
    settings = bench_settings(url)
    engine = create_engine(url, pool_size=1)
    sessions = session_factory(engine)
    timings: list[tuple[str, float]] = []
    began: list[float] = []
    bound: dict[str, Any] = {}

    def before(_c: Any, _cur: Any, sql: str, params: Any, *_a: Any) -> None:
        began.append(time.perf_counter())
        bound[_which(sql)] = (sql, params)

    def after(_c: Any, _cur: Any, sql: str, *_a: Any) -> None:
        timings.append((_which(sql), (time.perf_counter() - began.pop()) * 1000))

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)
    async with sessions() as session:
        therapist = (
            await session.execute(select(user_table.c.id).where(user_table.c.email == THERAPIST))
        ).scalar_one()
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    per_request: list[dict[str, float]] = []
    walls = []
    cpus: list[float | None] = []
    for rep in range(reps + 1):
        timings.clear()
        started = time.perf_counter()
        cpu_before = backend_cpu_ms(pid)
        async with sessions() as session:
            rows, _ = await service.worklist(
                session,
                therapist_id=therapist,
                sort="flags",
                flag=None,
                limit=50,
                cursor=None,
                rule_defaults=default_params(settings),
                risk_ack=timedelta(hours=settings.risk_ack_hours),
            )
        assert len(rows) == 50, len(rows)
        cpu_after = backend_cpu_ms(pid)
        if rep:  # the first is the warm-up
            walls.append((time.perf_counter() - started) * 1000)
            if cpu_before is not None and cpu_after is not None:
                cpus.append(cpu_after - cpu_before)
            totals: dict[str, float] = {"statements": len(timings), "all": 0.0}
            for kind, ms in timings:
                totals[kind] = totals.get(kind, 0.0) + ms
                totals["all"] += ms
            per_request.append(totals)
    for key in ("page", "adherence_28d", "all"):
        values = [r[key] for r in per_request]
        print(
            f"{key:>14}: median {statistics.median(values):7.1f} ms, "
            f"p95 {sorted(values)[max(0, round(0.95 * len(values)) - 1)]:7.1f} ms, "
            f"slowest {max(values):7.1f} ms, fastest {min(values):7.1f} ms"
        )
    print(
        f"{'request wall':>14}: median {statistics.median(walls):7.1f} ms "
        f"({int(per_request[0]['statements'])} statements, {reps} requests)"
    )
    print(_cpu_line("request", cpus))
    if explain:
        sql, params = bound["page"]
        await _explain(engine, sql, params)
    async with sessions() as session:
        await _adherence_alone(session, therapist, reps, windows, pid)
    await engine.dispose()


async def _adherence_alone(
    session: Any, therapist: Any, reps: int, windows: list[int], pid: int
) -> None:
    today = local_today("Europe/Oslo", now=utcnow())
    cl = care_link_table.c
    patients = (
        select(cl.patient_id.label("id"), literal(day_number(today), Integer).label("today"))
        .where(cl.therapist_id == therapist, cl.ended_at.is_(None))
        .subquery("caseload")
    )
    for back in windows:
        totals = adherence_sql.adherence_totals(
            patients,
            back=back,
            first_day=today - timedelta(days=back + 6),
            last_day=today,
            name=f"adh{back}",
        )
        query = select(func.count(), func.sum(totals.c.prescribed), func.sum(totals.c.completed))
        times = []
        cpus: list[float | None] = []
        for rep in range(reps + 1):
            started, cpu_before = time.perf_counter(), backend_cpu_ms(pid)
            found = (await session.execute(query.select_from(totals))).one()
            cpu_after = backend_cpu_ms(pid)
            if rep:
                times.append((time.perf_counter() - started) * 1000)
                if cpu_before is not None and cpu_after is not None:
                    cpus.append(cpu_after - cpu_before)
        print(
            f"adherence {back:>2} days alone: median {statistics.median(times):7.1f} ms, "
            f"slowest {max(times):7.1f} ms, fastest {min(times):7.1f} ms ({found[0]} patients, "
            f"{found[2]}/{found[1]} occurrences)"
        )
        print(_cpu_line(f"{back} days", cpus))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--windows", default="7,28,90", help="adherence-alone windows ('' for none)"
    )
    args = parser.parse_args()
    asyncio.run(
        main_async(args.db, args.reps, args.explain, [int(w) for w in args.windows.split(",") if w])
    )


if __name__ == "__main__":
    main()
