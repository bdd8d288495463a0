"""Demo data: PHQ-9 and GAD-7 every two weeks, four answers each trending down, one acknowledged
risk alert (the first PHQ-9 had item 9 above 0, the therapist called the next morning)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.time import local_today, zone
from app.instruments.scoring import Scored, score
from app.instruments.store import current_version
from app.measures.models import measure_response_table, measure_schedule_table, risk_alert_table
from app.measures.windows import is_late, occurrence

EVERY_DAYS = 14
TOTALS = {"phq9": (16, 13, 9, 6), "gad7": (14, 11, 8, 5)}  # oldest first


def spread(total: int, items: int, *, last: int = 0, top: int = 3) -> list[int]:
    """`items` answers 0..top summing to `total`, the last one fixed to `last`."""
    rest = total - last
    values = []
    for n in range(items - 1):
        value = min(top, -(-rest // (items - 1 - n)))  # the rest spread evenly, rounded up
        values.append(value)
        rest -= value
    if rest != 0:
        raise ValueError(f"{total} does not fit {items} answers of 0..{top}")
    return [*values, last]


async def seed_measures(
    session: AsyncSession, *, patient_id: uuid.UUID, therapist_id: uuid.UUID, timezone: str
) -> None:
    """Schedule both measures and write their history (again-safe: once per patient)."""
    r = measure_response_table.c
    if await session.scalar(select(r.id).where(r.patient_id == patient_id).limit(1)):
        return
    today = local_today(timezone)
    starts_on = today - timedelta(days=3 * EVERY_DAYS + 1)
    created = datetime.combine(starts_on, time(9), tzinfo=zone(timezone)).astimezone(UTC)
    for measure, totals in TOTALS.items():
        await session.execute(
            insert(measure_schedule_table).values(
                id=uuid.uuid4(),
                patient_id=patient_id,
                measure=measure,
                every_days=EVERY_DAYS,
                starts_on=starts_on,
                updated_by=therapist_id,
                created_at=created,
                updated_at=created,
            )
        )
        version = await current_version(session, key=measure)
        ids = [item.id for item in version.definition.items]
        for n, total in enumerate(totals):
            day = starts_on + timedelta(days=n * EVERY_DAYS)
            first_phq9 = measure == "phq9" and n == 0
            answers = dict(zip(ids, spread(total, len(ids), last=int(first_phq9)), strict=True))
            await _answer(
                session,
                patient_id=patient_id,
                therapist_id=therapist_id,
                version_id=version.id,
                measure=measure,
                answers=answers,
                scored=score(version.definition, answers),
                day=day,
                starts_on=starts_on,
                timezone=timezone,
            )
    await session.commit()


async def _answer(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    therapist_id: uuid.UUID,
    version_id: uuid.UUID,
    measure: str,
    answers: dict[str, int],
    scored: Scored,
    day: date,
    starts_on: date,
    timezone: str,
) -> None:
    at = datetime.combine(day, time(19), tzinfo=zone(timezone)).astimezone(UTC)
    found = occurrence(starts_on=starts_on, every_days=EVERY_DAYS, day=day)
    response_id = uuid.uuid4()
    await session.execute(
        insert(measure_response_table).values(
            id=response_id,
            patient_id=patient_id,
            measure=measure,
            questionnaire_id=version_id,
            answers=answers,
            score=scored.score,
            band=scored.band,
            answered_at=at,
            local_date=day,
            due_on=found.due_on if found else None,
            late=is_late(found, day) if found else False,
            body_hash="0" * 64,  # not from a phone: no retry can match it
            created_at=at,
        )
    )
    for fired in scored.alerts:
        await session.execute(
            insert(risk_alert_table).values(
                id=uuid.uuid4(),
                patient_id=patient_id,
                response_id=response_id,
                measure=measure,
                rule=fired.rule,
                item_id=fired.item,
                answer=fired.answer,
                created_at=at,
                acknowledged_at=at + timedelta(hours=14),
                acknowledged_by=therapist_id,
                action_taken="called_patient",
                note="Ringte pasienten morgenen etter; avtalte ekstra time samme uke.",
            )
        )
