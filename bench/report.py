"""The outcome report over a large caseload: statements and wall time of one request.

    .venv/bin/python -m bench.report [--patients 5000] [--period 2026-Q3] [--reps 5]
        [--db postgresql://postgres@127.0.0.1:5432/postgres]

Creates a scratch database (mestring_bench_report_*), migrates it, writes a caseload straight
into the tables (per patient: a care link, a three-stage RTW plan, a check-in every third day,
a daily homework assignment done on about half its days, a work diary for the last four
weeks' weekdays, PHQ-9 and GAD-7 at the start and the
end for most, a booster request for one in five, a 3-month follow-up for one in ten), then
asks the real app in-process for `GET /v1/reports/outcomes?period=...` as an admin, `--reps`
times after one warm-up. Prints the statements per request and the median and slowest wall
time against the target (issue 16: under 2 s for 5 000 patients over a quarter on the
benchmark machine), and the figures a loaded machine leaves alone: this process's CPU per
request (with the garbage collector's share) and the database backend's CPU per request and
per statement (`bench.report_probes`). The app's start-up heap is frozen as outside tests
(`app.main.freeze_startup_heap`). Not part of the test run; the database is dropped at the end
(`--keep NAME` keeps it, seeded once and vacuumed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

import asyncpg
from fastapi.testclient import TestClient
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import Role, user_table
from app.accounts.schemas import UserCreate
from app.boosters.models import booster_request_table, follow_up_table
from app.care.models import care_link_table
from app.checkins.models import checkin_table
from app.exercises.models import assignment_table, dose_table, exercise_log_table
from app.instruments.models import questionnaire_version_table
from app.main import create_app, freeze_startup_heap
from app.measures.models import measure_response_table
from app.reports.periods import parse_period
from app.work.grades import Stage, full_return_date
from app.work.models import rtw_plan_table, work_diary_table
from app.work.schemas import PlanIn, StageIn
from bench.report_probes import CollectorTime, StatementCpu
from bench.scratch import bench_settings, kept_database, run_sql, scratch_database

TARGET_MS = 2000
PASSWORD = "correct horse battery"


async def _explain(url: str, sql: str, params: Any) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SET jit = off")
        for row in await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *params):
            print(row[0])
    finally:
        await connection.close()


async def _profiled(services: Any, period: str) -> None:
    """cProfile of the report's service call alone (the work on the event loop's thread)."""
    import cProfile
    import pstats

    from app.reports.service import outcome_report

    profiler = cProfile.Profile()
    async with services.sessions() as session:
        profiler.enable()
        await outcome_report(
            session, period=period, therapist_id=None, caller_id=None, caller_role=None
        )
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def _at(day: date) -> datetime:
    return datetime.combine(day, clock(9), UTC)


class _Rows:
    """Rows per table, written in chunks."""

    def __init__(self) -> None:
        self.tables: dict[Any, list[dict[str, Any]]] = {}

    def add(self, table: Any, **values: Any) -> None:
        self.tables.setdefault(table, []).append(values)

    async def write(self, session: AsyncSession, chunk: int = 5000) -> None:
        for table, rows in self.tables.items():
            for start in range(0, len(rows), chunk):
                await session.execute(insert(table), rows[start : start + chunk])
        await session.commit()


def _plan(first: date) -> tuple[dict[str, Any], date | None]:
    percents = (100, 50, random.choice((20, 0)))
    stages = [
        StageIn(starts_on=first + timedelta(days=30 * i - 30), sick_leave_percent=p)
        for i, p in enumerate(percents)
    ]
    body = PlanIn(stages=stages).model_dump(mode="json", exclude={"version"})
    returned = full_return_date([Stage(s.starts_on, s.sick_leave_percent) for s in stages])
    return body, returned


def _patient(rows: _Rows, i: int, therapist: uuid.UUID, first: date, last: date, ids: Any) -> None:
    pid = uuid.uuid4()
    days = (last - first).days + 1
    rows.add(
        user_table,
        id=pid,
        email=f"p{i}@bench.example.com",
        password_hash="x",
        role="patient",
        display_name=f"P{i}",
    )
    since = first - timedelta(days=random.randint(-20, 120))
    ended = _at(first + timedelta(days=random.randint(10, days - 1))) if i % 10 == 0 else None
    rows.add(
        care_link_table,
        patient_id=pid,
        therapist_id=therapist,
        created_at=_at(since),
        ended_at=ended,
    )
    body, returned = _plan(first)
    rows.add(
        rtw_plan_table,
        patient_id=pid,
        version=1,
        body=body,
        full_return_on=returned,
        updated_by_role="therapist",
    )
    for d in range(0, days, 3):
        day = first + timedelta(days=d)
        rows.add(
            checkin_table,
            patient_id=pid,
            local_date=day,
            questionnaire_id=ids["rtw-se"],
            answers={},
            score=round(random.uniform(2.0, 5.5), 2),
        )
    aid = uuid.uuid4()
    rows.add(
        assignment_table,
        id=aid,
        patient_id=pid,
        exercise_kind="attention_training",
        starts_on=first,
    )
    rows.add(dose_table, assignment_id=aid, effective_from=first, times_per_day=1)
    for d in range(days):
        if random.random() < 0.5:
            day = first + timedelta(days=d)
            rows.add(
                exercise_log_table,
                id=uuid.uuid4(),
                patient_id=pid,
                assignment_id=aid,
                exercise_kind="attention_training",
                started_at=_at(day),
                local_date=day,
                duration_seconds=720,
                details={},
                body_hash="0" * 64,
            )
    for d in range(max(0, days - 28), days):  # the diary of the last four weeks' weekdays
        day = first + timedelta(days=d)
        if day.isoweekday() <= 5:
            rows.add(
                work_diary_table,
                patient_id=pid,
                local_date=day,
                worked_minutes=random.choice((0, 225, 450)),
            )
    if i % 5 != 4:
        for key, top in (("phq9", 27), ("gad7", 21)):
            for day in (first + timedelta(days=2), last - timedelta(days=2)):
                rows.add(
                    measure_response_table,
                    id=uuid.uuid4(),
                    patient_id=pid,
                    measure=key,
                    questionnaire_id=ids[key],
                    answers={},
                    score=random.randint(0, top),
                    answered_at=_at(day),
                    local_date=day,
                    body_hash="0" * 64,
                )
    if i % 5 == 0:
        made = first + timedelta(days=random.randint(0, days - 1))
        rows.add(
            booster_request_table,
            patient_id=pid,
            source="patient",
            status=random.choice(("open", "completed", "declined")),
            created_at=_at(made),
        )
    if i % 10 == 1:
        due = first + timedelta(days=random.randint(0, days - 1))
        rows.add(
            follow_up_table,
            patient_id=pid,
            months=3,
            full_return_on=due,
            due_on=due,
            source="bench",
            status="answered",
            still_working=random.random() < 0.7,
            answered_at=_at(due),
        )


async def _seed(session: AsyncSession, patients: int, first: date, last: date) -> None:
    q = questionnaire_version_table.c
    found = (await session.execute(select(q.key, q.id).order_by(q.version))).all()
    ids = {row.key: row.id for row in found}
    rows = _Rows()
    therapists = [uuid.uuid4() for _ in range(max(1, patients // 25))]
    for n, tid in enumerate(therapists):
        rows.add(
            user_table,
            id=tid,
            email=f"t{n}@bench.example.com",
            password_hash="x",
            role="therapist",
            display_name=f"T{n}",
        )
    for i in range(patients):
        _patient(rows, i, therapists[i % len(therapists)], first, last, ids)
    await rows.write(session)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--keep",
        metavar="NAME",
        help="Use the database NAME, seeded on the first run and kept (drop it yourself).",
    )
    parser.add_argument(
        "--explain",
        nargs="?",
        const=1,
        type=int,
        metavar="N",
        help="EXPLAIN ANALYZE the N slowest statements (1).",
    )
    parser.add_argument("--dump", metavar="FILE", help="Write the last answer's JSON to FILE.")
    parser.add_argument("--profile", action="store_true", help="cProfile one more request.")
    args = parser.parse_args()
    if args.keep:
        url, fresh = kept_database(args.db, args.keep)
        _measure(args, url, seed=fresh)
    else:
        with scratch_database(args.db, "mestring_bench_report") as url:
            _measure(args, url, seed=True)


def _measure(args: argparse.Namespace, url: str, *, seed: bool) -> None:
    random.seed(16)
    period = parse_period(args.period)
    settings = bench_settings(url)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]

        async def make() -> None:
            async with services.sessions() as session:
                data = UserCreate(
                    email="admin@bench.example.com", password=PASSWORD, display_name="A"
                )
                await accounts.create_user(
                    session, hasher=services.hasher, data=data, role=Role.admin
                )
                await _seed(session, args.patients, period.first, period.last)

        assert client.portal is not None
        if seed:
            started = time.perf_counter()
            client.portal.call(make)
            asyncio.run(run_sql(url, "VACUUM ANALYZE"))  # as autovacuum would have by then
            print(f"seeded {args.patients} patients in {time.perf_counter() - started:.1f} s")
        # As the app does when it starts outside tests (`bench_settings` says env=test).
        freeze_startup_heap()
        token = client.post(
            "/v1/auth/token",
            data={"username": "admin@bench.example.com", "password": PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        statements: list[str] = []
        spent: list[tuple[float, str]] = []  # (ms, statement) of the last request

        bound: dict[str, Any] = {}
        backend = StatementCpu()

        def count(conn: Any, _cur: Any, sql: str, params: Any, *_a: Any) -> None:
            statements.append(sql)
            spent.append((time.perf_counter(), sql))
            bound[sql] = params
            backend.before(conn)

        def done(_conn: Any, _cur: Any, sql: str, *_a: Any) -> None:
            backend.after(sql)
            began, sql = spent.pop()
            spent.append(((time.perf_counter() - began) * 1000, sql))

        event.listen(services.engine.sync_engine, "before_cursor_execute", count)
        event.listen(services.engine.sync_engine, "after_cursor_execute", done)
        times, cpus, backend_ms, gc_ms, gc_full = [], [], [], [], []
        with CollectorTime() as collector:
            for rep in range(args.reps + 1):
                statements.clear()
                spent.clear()
                backend.request.clear()
                collector.reset()
                began, cpu = time.perf_counter(), time.process_time()
                response = client.get(
                    "/v1/reports/outcomes", params={"period": args.period}, headers=headers
                )
                if rep:  # the first is the warm-up
                    times.append((time.perf_counter() - began) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
                    backend_ms.append(sum(backend.request))
                    gc_ms.append(collector.ms)
                    gc_full.append(collector.full)
                else:
                    backend.runs.clear()
                assert response.status_code == 200, response.text
        active = {f["key"]: f["value"] for f in response.json()["figures"]}
        median, worst = statistics.median(times), max(times)
        verdict = "met" if worst < TARGET_MS else "missed"
        print(
            f"patients active {active['patients.active']}, statements {len(statements)}, "
            f"median {median:.0f} ms, slowest {worst:.0f} ms "
            f"(target < {TARGET_MS} ms: {verdict})"
        )
        database_ms = sum(ms for ms, _ in spent)
        print(
            f"this process's CPU per request (app and client, not the database): median "
            f"{statistics.median(cpus):.0f} ms, least {min(cpus):.0f} ms"
        )
        print(
            f"  of which in the garbage collector: median {statistics.median(gc_ms):.0f} ms, "
            f"full collections {gc_full}"
        )
        print(f"last request: {database_ms:.0f} ms in the database; slowest statements:")
        for ms, sql in sorted(spent, reverse=True)[:4]:
            print(f"  {ms:>6.0f} ms  {' '.join(sql.split())[:90]}")
        print(
            f"database backend CPU per request: median {statistics.median(backend_ms):.0f} ms "
            f"(each {', '.join(f'{ms:.0f}' for ms in backend_ms)}); per statement, median:"
        )
        for ms, total, runs, sql in backend.slowest(6):
            print(f"  {ms:>6.0f} ms  (sum {total:.0f} of {runs})  {sql}")
        if args.profile:
            client.portal.call(_profiled, services, args.period)
        if args.dump:
            with open(args.dump, "w") as out:
                json.dump(response.json(), out, indent=1, sort_keys=True)
        for _ms, sql in sorted(spent, reverse=True)[: args.explain or 0]:
            asyncio.run(_explain(url, sql, bound[sql]))


if __name__ == "__main__":
    main()
