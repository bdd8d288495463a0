"""Demo homework for `mestring seed-demo`: three weeks of plausible practice (again-safe)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.core.time import local_today, utcnow, zone
from app.exercises.log_schemas import ExerciseLogCreate
from app.exercises.logs import canonical_hash
from app.exercises.models import assignment_table, dose_table, exercise_log_table

_LOG = TypeAdapter(ExerciseLogCreate)
_u = user_table.c
_a = assignment_table.c


def _fields(kind: str, rng: random.Random) -> dict[str, Any]:
    if kind == "attention_training":
        return {
            "phases_completed": ["selective", "switching", "divided"][: rng.choice([2, 3, 3])],
            "self_focus_before": rng.randint(0, 3),
            "self_focus_after": rng.randint(-2, 1),
        }
    if kind == "worry_postponement":
        noticed = rng.randint(2, 8)
        used = rng.random() < 0.7
        before = rng.randint(50, 90)
        return {
            "worries_noticed": noticed,
            "worries_postponed": rng.randint(noticed // 2, noticed),
            "worry_time_used": used,
            "worry_time_minutes": rng.randint(5, 15) if used else None,
            "uncontrollability_before": before,
            "uncontrollability_after": max(0, before - rng.randint(0, 30)),
        }
    return {"detachment_before": rng.randint(10, 40), "detachment_after": rng.randint(40, 80)}


async def seed_homework(
    session: AsyncSession, *, patient_id: uuid.UUID, therapist_id: uuid.UUID
) -> None:
    """Assignments (one dose change) and ~3 weeks of logs for the demo patient, once."""
    exists = await session.scalar(select(_a.id).where(_a.patient_id == patient_id).limit(1))
    if exists is not None:
        return
    timezone = await session.scalar(select(_u.timezone).where(_u.id == patient_id)) or "UTC"
    today = local_today(timezone)
    start = today - timedelta(days=20)
    now = utcnow()
    # (kind, starts_on, doses [(from, per_day, per_week)], worry time, practice hours, chance)
    plans: list[tuple[str, date, list[tuple[date, int | None, int | None]], time | None]] = [
        (
            "attention_training",
            start,
            [(start, 1, None), (start + timedelta(days=7), 2, None)],
            None,
        ),
        ("worry_postponement", start, [(start, 1, None)], time(18, 0)),
        (
            "detached_mindfulness",
            today - timedelta(days=9),
            [(today - timedelta(days=9), None, 3)],
            None,
        ),
    ]
    rng = random.Random(20261123)  # noqa: S311  (demo data, not security)
    logs: list[dict[str, Any]] = []
    for kind, starts_on, doses, worry_time in plans:
        assignment_id = uuid.uuid4()
        await session.execute(
            insert(assignment_table).values(
                id=assignment_id,
                patient_id=patient_id,
                therapist_id=therapist_id,
                exercise_kind=kind,
                starts_on=starts_on,
                worry_time=worry_time,
                instructions=None,
                created_at=now,
                updated_at=now,
            )
        )
        for effective_from, per_day, per_week in doses:
            await session.execute(
                insert(dose_table).values(
                    id=uuid.uuid4(),
                    assignment_id=assignment_id,
                    effective_from=effective_from,
                    times_per_day=per_day,
                    times_per_week=per_week,
                    paused=False,
                    changed_by=therapist_id,
                    created_at=now,
                )
            )
        day = starts_on
        while day <= today:
            per_day = next(d[1] for d in reversed(doses) if d[0] <= day)
            tries = per_day if per_day is not None else (1 if rng.random() < 0.45 else 0)
            for slot in range(tries):
                if rng.random() > 0.75:
                    continue
                hour = worry_time.hour if worry_time else (8 if slot == 0 else 19)
                local = datetime.combine(day, time(hour, rng.randint(0, 45)), zone(timezone))
                started = local.astimezone(UTC)
                if started > now:
                    continue
                body = {
                    "id": str(uuid.uuid4()),
                    "exercise_kind": kind,
                    "assignment_id": str(assignment_id) if rng.random() < 0.8 else None,
                    "started_at": started.isoformat(),
                    "duration_seconds": rng.randint(240, 900),
                    **_fields(kind, rng),
                }
                data = _LOG.validate_python(body)
                logs.append(
                    {
                        "id": data.id,
                        "patient_id": patient_id,
                        "assignment_id": data.assignment_id,
                        "exercise_kind": kind,
                        "started_at": started,
                        "local_date": day,
                        "duration_seconds": data.duration_seconds,
                        "details": data.details(),
                        "body_hash": canonical_hash(data),
                        "created_at": now,
                    }
                )
            day += timedelta(days=1)
    if logs:
        await session.execute(insert(exercise_log_table), logs)
    await session.commit()
