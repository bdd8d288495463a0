"""Helpers for reminder tests: preferences over HTTP, the scheduler and the outbox read back."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.devices.delivery import push_to_patient
from app.reminders.delivery import Outcome, deliver
from app.reminders.models import push_outbox_table
from app.reminders.scheduler import schedule_due
from tests.factories import Actor, Api


def set_reminders(api: Api, patient: Actor, **body: Any) -> dict[str, Any]:
    body.setdefault("therapist_messages", True)
    response = api.client.put("/v1/me/reminders", json=body, headers=patient.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def run_scheduler(api: Api) -> list[uuid.UUID]:
    return api.db(lambda session: schedule_due(session))


def outbox(api: Api, patient: Actor) -> list[Any]:
    async def work(session: AsyncSession) -> list[Any]:
        o = push_outbox_table.c
        rows = await session.execute(
            select(push_outbox_table).where(o.patient_id == patient.id).order_by(o.created_at)
        )
        return list(rows.all())

    return api.db(work)


def deliver_one(api: Api, outbox_id: uuid.UUID) -> Outcome:
    settings = api.services.settings
    return api.db(lambda s: deliver(s, settings, outbox_id, sender=push_to_patient))
