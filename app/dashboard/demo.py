"""`mestring seed-demo --patients N --days D`: a synthetic caseload at scale, deterministic.

One therapist (`bulk-therapist@demo.example.com`) gets N patients, each with D days of
history ending yesterday: check-ins on most days (a slow random walk of RTW-SE), attention
training twice a day and worry postponement once a day with logs on most days, a graded
return-to-work plan with diary hours on work days, and an open booster request for about one
patient in ten. Rows are written in bulk (PostgreSQL COPY, executemany on SQLite) with one
password hash shared by every bulk account, so 500 patients x 365 days takes seconds.
Everything comes from `random.Random(seed)`: the same arguments give the same data.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.models import booster_request_table
from app.care.models import care_link_table
from app.checkins.definition import score_answers
from app.checkins.models import checkin_table
from app.checkins.questionnaire import current_version
from app.core.security import PasswordHasher
from app.core.time import local_today, utcnow, zone
from app.exercises.models import assignment_table, dose_table, exercise_log_table
from app.work.grades import full_return_date
from app.work.models import rtw_plan_table, rtw_plan_version_table, work_diary_table
from app.work.plan import plan_of
from app.work.schemas import PlanIn, StageIn

BULK_THERAPIST = "bulk-therapist@demo.example.com"
BULK_PASSWORD = "demo-bulk-pass"  # noqa: S105  # a demo login, printed by seed-demo
FIRST = ("Ada", "Bjørn", "Cato", "Dina", "Eirik", "Frida", "Geir", "Hanne", "Ivar", "Jorunn")
LAST = ("Berg", "Dahl", "Eide", "Haugen", "Lie", "Moe", "Nilsen", "Strand", "Vik", "Aas")
ATT_DETAILS = {"phases_completed": ["selective", "switching", "divided"]}
CHUNK = 20_000
FLUSH_EVERY = 100  # patients per bulk write, so memory stays flat at any scale

TABLES = (
    ("users", user_table),
    ("links", care_link_table),
    ("assignments", assignment_table),
    ("doses", dose_table),
    ("logs", exercise_log_table),
    ("checkins", checkin_table),
    ("plans", rtw_plan_table),
    ("versions", rtw_plan_version_table),
    ("diary", work_diary_table),
    ("boosters", booster_request_table),
)


@dataclass(frozen=True, slots=True)
class BulkSeeded:
    therapist_email: str
    password: str
    patients: int
    days: int
    rows: int


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


async def _write(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> int:
    """Bulk-write rows: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return 0
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        columns = list(rows[0])
        json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
        records = [
            tuple(json.dumps(r[c]) if c in json_columns else r[c] for c in columns) for r in rows
        ]
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, records=records, columns=columns
        )
    else:
        for chunk in _chunks(rows):
            await session.execute(insert(table), list(chunk))
    return len(rows)


async def _flush(session: AsyncSession, rows: dict[str, list[dict[str, Any]]]) -> int:
    written = 0
    for key, table in TABLES:
        written += await _write(session, table, rows[key])
        rows[key].clear()
    return written


def _plan(start: date, today: date) -> PlanIn:
    span = max((today - start).days, 3)
    steps = ((0, 100), (span // 3, 60), (2 * span // 3, 40), (span + 14, 20))
    return PlanIn(
        stages=[
            StageIn(starts_on=start + timedelta(days=d), sick_leave_percent=p) for d, p in steps
        ]
    )


async def seed_bulk(
    session: AsyncSession, *, hasher: PasswordHasher, patients: int, days: int, seed: int = 1
) -> BulkSeeded:
    """One therapist with `patients` patients and `days` days of history each (fresh database)."""
    found = await session.scalar(
        select(user_table.c.id).where(user_table.c.email == BULK_THERAPIST)
    )
    if found is not None:
        raise ValueError(f"{BULK_THERAPIST} exists already: seed a fresh database.")
    rng = random.Random(seed)  # noqa: S311  # repeatable synthetic data, nothing secret
    version = await current_version(session)
    items = version.definition.items
    by_value = {v: {i.id: 7 - v if i.reverse else v for i in items} for v in range(1, 7)}
    scores = {v: score_answers(version.definition, a) for v, a in by_value.items()}
    now = utcnow()
    password_hash = await hasher.hash(BULK_PASSWORD)
    therapist_id = _uuid(rng)
    rows: dict[str, list[dict[str, Any]]] = {
        name: []
        for name in (
            "users",
            "links",
            "assignments",
            "doses",
            "logs",
            "checkins",
            "plans",
            "versions",
            "diary",
            "boosters",
        )
    }
    user = {
        "role": "therapist",
        "timezone": "Europe/Oslo",
        "locale": "nb",
        "created_at": now,
        "disabled_at": None,
        "password_hash": password_hash,
    }
    rows["users"].append(
        {**user, "id": therapist_id, "email": BULK_THERAPIST, "display_name": "Bulk Terapeut"}
    )
    written = 0
    for n in range(patients):
        if n and n % FLUSH_EVERY == 0:
            written += await _flush(session, rows)
        pid = _uuid(rng)
        timezone = "Europe/Oslo"
        today = local_today(timezone)
        start = today - timedelta(days=days)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {n + 1}"
        rows["users"].append(
            {
                **user,
                "role": "patient",
                "id": pid,
                "display_name": name,
                "email": f"bulk-patient-{n + 1}@demo.example.com",
            }
        )
        rows["links"].append(
            {
                "id": _uuid(rng),
                "patient_id": pid,
                "therapist_id": therapist_id,
                "created_at": now,
                "ended_at": None,
            }
        )
        assignments = []
        for kind, per_day, slot in (
            ("attention_training", 2, None),
            ("worry_postponement", 1, time(18, 30)),
        ):
            aid = _uuid(rng)
            assignments.append((aid, kind, per_day))
            rows["assignments"].append(
                {
                    "id": aid,
                    "patient_id": pid,
                    "therapist_id": therapist_id,
                    "exercise_kind": kind,
                    "starts_on": start,
                    "ends_on": None,
                    "worry_time": slot,
                    "instructions": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            rows["doses"].append(
                {
                    "id": _uuid(rng),
                    "assignment_id": aid,
                    "effective_from": start,
                    "times_per_day": per_day,
                    "times_per_week": None,
                    "paused": False,
                    "changed_by": therapist_id,
                    "created_at": now,
                }
            )
        data = _plan(start, today)
        body = data.model_dump(mode="json", exclude={"version"})
        plan = plan_of(body)
        full_return = full_return_date(plan.stages)
        rows["plans"].append(
            {
                "patient_id": pid,
                "version": 1,
                "body": body,
                "full_return_on": full_return,
                "updated_by": therapist_id,
                "updated_by_role": "therapist",
                "updated_at": now,
            }
        )
        rows["versions"].append(
            {
                "id": _uuid(rng),
                "patient_id": pid,
                "version": 1,
                "body": body,
                "full_return_on": full_return,
                "changed_by": therapist_id,
                "changed_by_role": "therapist",
                "changed_at": now,
            }
        )
        level = rng.uniform(2.5, 5.5)
        diligence = rng.uniform(0.3, 0.95)
        for offset in range(days, 0, -1):
            day = today - timedelta(days=offset)
            evening = datetime.combine(day, time(20), tzinfo=zone(timezone)).astimezone(UTC)
            level = min(6.0, max(1.0, level + rng.uniform(-0.3, 0.3)))
            if rng.random() < 0.8:
                value = max(1, min(6, round(level + rng.uniform(-0.5, 0.5))))
                rows["checkins"].append(
                    {
                        "id": _uuid(rng),
                        "patient_id": pid,
                        "local_date": day,
                        "questionnaire_id": version.id,
                        "answers": by_value[value],
                        "score": scores[value],
                        "mood": value,
                        "worry_minutes": 60 - 10 * value,
                        "note": None,
                        "created_at": evening,
                        "updated_at": evening,
                    }
                )
            for aid, kind, per_day in assignments:
                for k in range(per_day):
                    if rng.random() > diligence:
                        continue
                    at = datetime.combine(day, time(8 + 6 * k), tzinfo=zone(timezone))
                    details = (
                        ATT_DETAILS
                        if kind == "attention_training"
                        else {"worries_noticed": rng.randint(0, 6), "worry_time_used": True}
                    )
                    rows["logs"].append(
                        {
                            "id": _uuid(rng),
                            "patient_id": pid,
                            "assignment_id": aid,
                            "exercise_kind": kind,
                            "started_at": at.astimezone(UTC),
                            "local_date": day,
                            "duration_seconds": 600,
                            "details": details,
                            "body_hash": "0" * 64,
                            "created_at": at.astimezone(UTC),
                        }
                    )
            planned = plan.planned_hours_on(day)
            if planned and rng.random() < 0.85:
                worked = max(Decimal(0), planned + Decimal(rng.choice((-1, -0.5, 0, 0, 0.5))))
                minutes = int(worked * 60)
                rows["diary"].append(
                    {
                        "id": _uuid(rng),
                        "patient_id": pid,
                        "local_date": day,
                        "worked_minutes": minutes,
                        "planned_minutes": int(planned * 60),
                        "planned_from_plan": True,
                        "tasks": None,
                        "strain": rng.randint(2, 7),
                        "note": None,
                        "revision": 1,
                        "created_at": evening,
                        "updated_at": evening,
                    }
                )
        if rng.random() < 0.1:
            rows["boosters"].append(
                {
                    "id": _uuid(rng),
                    "patient_id": pid,
                    "source": "patient",
                    "status": "open",
                    "reason": "Would like a booster session",
                    "preferred_times": None,
                    "scheduled_for": None,
                    "response": None,
                    "created_at": now,
                    "updated_at": now,
                    "resolved_at": None,
                }
            )
    written += await _flush(session, rows)
    await session.commit()
    if (await session.connection()).dialect.name == "postgresql":
        await session.execute(text("ANALYZE"))  # fresh statistics, or the planner guesses
        await session.commit()
    return BulkSeeded(BULK_THERAPIST, BULK_PASSWORD, patients, days, written)
