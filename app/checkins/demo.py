"""Demo data: a month of the demo patient's check-ins with a dip that opened a booster request."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.rule import RuleParams
from app.boosters.rule_service import evaluate_after_checkin
from app.checkins.definition import score_answers
from app.checkins.models import checkin_table
from app.checkins.questionnaire import current_version
from app.core.time import local_today, zone

# One answer per day for every item, oldest first: steady, a dip in week two, recovery.
DAILY_ANSWERS = [
    *(5, 5, 4, 5, 5, 5, 4, 5, 5, 5),
    *(4, 3, 3, 3, 2, 3, 3),
    *(4, 4, 4, 5, 4, 5, 5, 5, 4, 5, 5, 5, 5),
]


async def seed_checkins(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str, defaults: RuleParams
) -> None:
    """Write 30 days of check-ins ending today, running the booster rule day by day (again-safe)."""
    if await session.scalar(
        select(checkin_table.c.id).where(checkin_table.c.patient_id == patient_id).limit(1)
    ):
        return
    version = await current_version(session)
    today = local_today(timezone)
    for offset, value in enumerate(DAILY_ANSWERS):
        day = today - timedelta(days=len(DAILY_ANSWERS) - 1 - offset)
        at = datetime.combine(day, time(20), tzinfo=zone(timezone)).astimezone(UTC)
        answers = {
            item.id: 7 - value if item.reverse else value for item in version.definition.items
        }
        await session.execute(
            insert(checkin_table).values(
                id=uuid.uuid4(),
                patient_id=patient_id,
                local_date=day,
                questionnaire_id=version.id,
                answers=answers,
                score=score_answers(version.definition, answers),
                mood=min(10, value * 2 - 2),
                worry_minutes=max(0, 90 - value * 15),
                created_at=at,
                updated_at=at,
            )
        )
        await evaluate_after_checkin(
            session,
            patient_id=patient_id,
            today=day,
            timezone=timezone,
            questionnaire_id=version.id,
            questionnaire_version=version.version,
            defaults=defaults,
            now=at,
        )
    await session.commit()
