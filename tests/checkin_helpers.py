"""Helpers for check-in and booster tests: answers, rows written straight to the database."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.checkins.models import checkin_table
from app.checkins.questionnaire import current_version
from tests.factories import Actor, Api

ITEM_IDS = [f"rtw{i:02d}" for i in range(1, 12)]


def answers(*values: int) -> dict[str, int]:
    """One value for every item, or exactly 11 values in item order."""
    if len(values) == 1:
        values = values * len(ITEM_IDS)
    assert len(values) == len(ITEM_IDS)
    return dict(zip(ITEM_IDS, values, strict=True))


def seed_scores(api: Api, patient: Actor, scores: Mapping[date, float]) -> None:
    """Store check-ins with these scores directly (for days the API no longer accepts)."""

    async def work(session: AsyncSession) -> None:
        version = await current_version(session)
        now = datetime.now(UTC)
        for day, score in scores.items():
            await session.execute(
                insert(checkin_table).values(
                    id=uuid.uuid4(),
                    patient_id=patient.id,
                    local_date=day,
                    questionnaire_id=version.id,
                    answers={},
                    score=score,
                    created_at=now,
                    updated_at=now,
                )
            )
        await session.commit()

    api.db(work)


def relogin(api: Api, actor: Actor) -> Actor:
    """Fresh tokens after the clock moved (access tokens live 15 minutes)."""
    tokens = api.login(actor.email, actor.password)
    actor.access_token, actor.refresh_token = tokens["access_token"], tokens["refresh_token"]
    return actor
