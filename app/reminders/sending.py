"""The sender the worker uses: every device of the patient (app/devices)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.push.message import Delivery, PushMessage


async def push_to_patient(
    session: AsyncSession, settings: Settings, patient_id: uuid.UUID, message: PushMessage
) -> list[Delivery]:
    """Until app/devices lands (branch h5devices): no device is known, nothing is sent."""
    del session, settings, patient_id, message
    return []
