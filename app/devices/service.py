"""Devices: register, list, remove. Sending is `app.devices.delivery` (the reminder worker's,
with the push senders' libraries, which the web worker does not load)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_existing_patient
from app.core.config import Settings
from app.core.db import dialect_insert, rowcount
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.time import utcnow
from app.devices.models import device_table
from app.devices.rules import endpoint_allowed
from app.devices.schemas import DeviceIn, DevicePublic, FcmPushPublic, WebPushIn, WebPushPublic

_d = device_table.c
MAX_DEVICES = 10  # per patient
_PUBLIC = (
    _d.id,
    _d.platform,
    _d.address,
    _d.label,
    _d.created_at,
    _d.updated_at,
    _d.last_delivered_at,
)


def _public(row: Any) -> DevicePublic:
    push: WebPushPublic | FcmPushPublic = (
        WebPushPublic(endpoint=row.address)
        if row.platform == "web"
        else FcmPushPublic(token=row.address)
    )
    return DevicePublic(
        id=row.id,
        platform=row.platform,
        push=push,
        label=row.label,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_delivered_at=row.last_delivered_at,
    )


async def register(
    session: AsyncSession, *, settings: Settings, patient_id: uuid.UUID, data: DeviceIn
) -> tuple[DevicePublic, bool]:
    """Create or update the device `data.id`; True when it was created.

    The address (endpoint or token) moves to this device: another row holding it, of this
    patient or another one, is removed (the browser or phone now belongs to this sign-in).
    """
    if isinstance(data.push, WebPushIn):
        if not endpoint_allowed(data.push.endpoint, settings):
            raise Unprocessable(
                "This push endpoint is not on a known push service.",
                code="push_endpoint_not_allowed",
            )
        address, p256dh, auth = data.push.endpoint, data.push.keys.p256dh, data.push.keys.auth
    else:
        address, p256dh, auth = data.push.token, None, None
    await lock_existing_patient(session, patient_id=patient_id)
    owner = await session.scalar(select(_d.patient_id).where(_d.id == data.id).with_for_update())
    if owner is not None and owner != patient_id:
        raise Conflict("This device id is already in use.", code="device_id_in_use")
    now = utcnow()
    await session.execute(delete(device_table).where(_d.address == address, _d.id != data.id))
    values = {
        "platform": data.platform,
        "address": address,
        "p256dh": p256dh,
        "auth": auth,
        "label": data.label,
        "updated_at": now,
    }
    statement = (
        dialect_insert(session, device_table)
        .values(id=data.id, patient_id=patient_id, created_at=now, **values)
        .on_conflict_do_update(
            index_elements=[_d.id], set_=values, where=_d.patient_id == patient_id
        )
        .returning(*_PUBLIC)
    )
    try:
        row = (await session.execute(statement)).first()
    except IntegrityError:
        # Another patient's registration of the same address committed in between.
        await session.rollback()
        raise Conflict(
            "This push address was registered at the same moment; try again.",
            code="device_address_in_use",
        ) from None
    if row is None:  # another patient took the id in between
        await session.rollback()
        raise Conflict("This device id is already in use.", code="device_id_in_use")
    await _keep_newest(session, patient_id)
    await session.commit()
    return _public(row), owner is None


async def _keep_newest(session: AsyncSession, patient_id: uuid.UUID) -> None:
    """At most MAX_DEVICES per patient: the ones registered (or re-registered) longest ago go.
    Apps register again at every start, so those are the installs no longer in use; and one
    reminder never fans out to an unbounded list of addresses a client chose."""
    newest = (
        select(_d.id)
        .where(_d.patient_id == patient_id)
        .order_by(_d.updated_at.desc(), _d.id.desc())
        .limit(MAX_DEVICES)
    )
    await session.execute(
        delete(device_table).where(_d.patient_id == patient_id, _d.id.not_in(newest))
    )


async def list_devices(session: AsyncSession, *, patient_id: uuid.UUID) -> list[DevicePublic]:
    """The patient's devices, oldest first."""
    rows = await session.execute(
        select(*_PUBLIC).where(_d.patient_id == patient_id).order_by(_d.created_at, _d.id)
    )
    return [_public(row) for row in rows]


async def remove(session: AsyncSession, *, patient_id: uuid.UUID, device_id: uuid.UUID) -> None:
    """Forget a device (sign-out on it, notifications turned off); 404 when not the patient's."""
    result = await session.execute(
        delete(device_table).where(_d.id == device_id, _d.patient_id == patient_id)
    )
    if rowcount(result) == 0:
        await session.rollback()
        raise NotFound("Device not found.", code="device_not_found")
    await session.commit()
