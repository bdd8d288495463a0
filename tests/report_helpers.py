"""Helpers for outcome-report tests: rows written straight to the database, dated in the past
(the report reads history the API would no longer accept as new)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.models import booster_request_table, follow_up_table
from app.care.models import care_link_table
from app.exercises.models import assignment_table, dose_table, exercise_log_table
from app.work.models import work_diary_table
from tests.factories import Actor, Api


def at(day: date) -> datetime:
    """Noon UTC of `day`."""
    return datetime.combine(day, time(12), UTC)


def date_links(api: Api, patient: Actor, *, since: date, until: date | None = None) -> None:
    """Back-date the patient's care links: begun `since`, ended `until` (None: running)."""

    async def work(session: AsyncSession) -> None:
        await session.execute(
            update(care_link_table)
            .where(care_link_table.c.patient_id == patient.id)
            .values(created_at=at(since), ended_at=None if until is None else at(until))
        )
        await session.commit()

    api.db(work)


def homework(api: Api, patient: Actor, *, starts_on: date, logged: Iterable[date]) -> None:
    """A daily attention-training assignment (once a day) and one linked log on each day."""
    assignment_id = uuid.uuid4()

    async def work(session: AsyncSession) -> None:
        await session.execute(
            insert(assignment_table).values(
                id=assignment_id,
                patient_id=patient.id,
                exercise_kind="attention_training",
                starts_on=starts_on,
            )
        )
        await session.execute(
            insert(dose_table).values(
                id=uuid.uuid4(),
                assignment_id=assignment_id,
                effective_from=starts_on,
                times_per_day=1,
            )
        )
        for day in logged:
            await session.execute(
                insert(exercise_log_table).values(
                    id=uuid.uuid4(),
                    patient_id=patient.id,
                    assignment_id=assignment_id,
                    exercise_kind="attention_training",
                    started_at=at(day),
                    local_date=day,
                    duration_seconds=720,
                    details={},
                    body_hash="0" * 64,
                )
            )
        await session.commit()

    api.db(work)


def booster(
    api: Api,
    patient: Actor,
    *,
    source: str,
    status: str,
    created: date,
    resolved: date | None = None,
) -> None:
    """A booster request made on `created` and, unless open, resolved on `resolved`."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "patient_id": patient.id,
        "source": source,
        "status": status,
        "created_at": at(created),
        "updated_at": at(resolved or created),
        "resolved_at": None if resolved is None else at(resolved),
    }
    api.db(lambda s: _insert(s, booster_request_table, values))


def follow_up(
    api: Api, patient: Actor, *, months: int, due_on: date, still_working: bool | None
) -> None:
    """A follow-up due on `due_on`: answered when `still_working` is given, else pending."""
    answered = still_working is not None
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "patient_id": patient.id,
        "months": months,
        "full_return_on": due_on,
        "due_on": due_on,
        "source": "therapist",
        "status": "answered" if answered else "pending",
        "still_working": still_working,
        "needs_booster": False if answered else None,
        "answered_at": at(due_on) if answered else None,
    }
    api.db(lambda s: _insert(s, follow_up_table, values))


async def _insert(session: AsyncSession, table: Any, values: dict[str, Any]) -> None:
    await session.execute(insert(table).values(**values))
    await session.commit()


def diary(api: Api, patient: Actor, minutes: dict[date, int]) -> None:
    """Work-diary entries (work days) with these minutes."""

    async def work(session: AsyncSession) -> None:
        for day, worked in minutes.items():
            await session.execute(
                insert(work_diary_table).values(
                    id=uuid.uuid4(), patient_id=patient.id, local_date=day, worked_minutes=worked
                )
            )
        await session.commit()

    api.db(work)
