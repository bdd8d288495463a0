"""`push_to_patient`: one message to every device of a patient, dropping the ones the push
service says are gone. Imported by the reminder worker (and the in-process loop on SQLite),
never by the web app's routes: aiohttp and pywebpush stay out of a web worker's memory."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import aiohttp
import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import rowcount
from app.core.metrics import push_metrics
from app.core.time import utcnow
from app.devices.fcm import FcmSender
from app.devices.models import device_table
from app.devices.webpush import Subscription, WebPushSender
from app.push.message import Delivery, PushMessage

_d = device_table.c


async def push_to_patient(
    session: AsyncSession, settings: Settings, patient_id: uuid.UUID, message: PushMessage
) -> list[Delivery]:
    """Send `message` to every device of the patient that a configured sender can reach.

    One Delivery per device tried (none for an `android`/`ios` device while FCM is off, or a
    `web` one while VAPID is not configured). A device whose push service answers 404/410 is
    deleted. Transactions: when the session has none open on entry, the device list is read in
    a transaction committed before any network call (on SQLite an open transaction holds the
    write lock), and the results are written and committed after; when the caller has one
    open, everything happens in it and the caller commits (then it stays open across the
    sends: avoid that on SQLite).
    """
    own_transaction = not session.in_transaction()
    rows = (
        await session.execute(
            select(_d.id, _d.platform, _d.address, _d.p256dh, _d.auth).where(
                _d.patient_id == patient_id
            )
        )
    ).all()
    if own_transaction:
        await session.commit()
    web = WebPushSender.from_settings(settings)
    fcm = FcmSender.from_settings(settings)
    web_rows = [r for r in rows if r.platform == "web" and web is not None]
    fcm_rows = [r for r in rows if r.platform != "web" and fcm is not None]
    if not web_rows and not fcm_rows:
        return []
    outcomes = await _send_all(web, web_rows, fcm, fcm_rows, message)
    tried = [*web_rows, *fcm_rows]
    await _record(session, tried, outcomes)
    if own_transaction:
        await session.commit()
    return outcomes


async def _send_all(
    web: WebPushSender | None,
    web_rows: Sequence[Any],
    fcm: FcmSender | None,
    fcm_rows: Sequence[Any],
    message: PushMessage,
) -> list[Delivery]:
    async with aiohttp.ClientSession() as web_http, httpx.AsyncClient() as fcm_http:
        if fcm is not None and fcm_rows:
            await fcm.warm_up(fcm_http)
        sends = [
            *(
                web.send(web_http, Subscription(r.address, r.p256dh, r.auth), message)
                for r in web_rows
                if web is not None
            ),
            *(fcm.send(fcm_http, r.address, message) for r in fcm_rows if fcm is not None),
        ]
        return list(await asyncio.gather(*sends))


async def _record(session: AsyncSession, rows: Sequence[Any], outcomes: list[Delivery]) -> None:
    """Drop the gone devices, note when the others last got a message, count everything."""
    now = utcnow()
    sent = [r.id for r, outcome in zip(rows, outcomes, strict=True) if outcome is Delivery.sent]
    for row, outcome in zip(rows, outcomes, strict=True):
        push_metrics.deliveries.labels(row.platform, outcome.value).inc()
        if outcome is Delivery.gone:
            # Only this address: the device may have re-registered a new one meanwhile.
            dropped = await session.execute(
                delete(device_table).where(_d.id == row.id, _d.address == row.address)
            )
            if rowcount(dropped):
                push_metrics.devices_dropped.labels(row.platform).inc()
    if sent:
        await session.execute(
            update(device_table).where(_d.id.in_(sent)).values(last_delivered_at=now)
        )
