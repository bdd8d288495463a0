"""`deliver_outbox`: claim -> check -> send -> mark, for one outbox row.

1. Claim (own transaction, committed before any network call): `pending` (or `sending`, left
   by a worker that died after claiming) becomes `sending`, attempts + 1. Nothing else can
   claim a row another delivery finished (`sent`, `skipped`, ...), so a finished push is never
   sent again, and a claimed-but-unfinished one is retried by the next run of its job.
2. Check at send time: too late (`not_after`) -> `expired`; a reminder that is no longer due
   (checked in meanwhile from another device) or whose send time falls in quiet hours ->
   `skipped`; therapist messages switched off meanwhile -> `skipped`.
3. Send to every device of the patient (app/devices, the senders). 4. Mark the outcome.

A worker killed between 1 and 4 leaves `sending`: the job is retried (procrastinate's stalled
job recovery, or the relay) and sends again with the same `tag` (the Web Push `Topic`), so the
push service and the phone replace the first copy instead of showing two. docs/notes/issue-17.md
has the whole argument.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.core.config import Settings
from app.core.time import utcnow, zone
from app.push.message import Delivery, PushMessage
from app.reminders.facts import load_facts
from app.reminders.models import push_outbox_table, reminder_settings_table
from app.reminders.rules import REMINDER_KINDS, THERAPIST_KINDS, in_quiet_hours, message_for

Sender = Callable[[AsyncSession, Settings, uuid.UUID, PushMessage], Awaitable[list[Delivery]]]
MAX_ATTEMPTS = 5
_o = push_outbox_table.c
_s = reminder_settings_table.c
_u = user_table.c


class DeliveryFailed(Exception):
    """Every device answered "try later": the job raises this to be retried with back-off."""


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # the row's status after this run; "busy" when there was nothing to claim
    sent: int = 0
    failed: int = 0
    dropped: int = 0


async def _finish(session: AsyncSession, outbox_id: uuid.UUID, status: str) -> None:
    await session.execute(
        update(push_outbox_table)
        .where(_o.id == outbox_id, _o.status == "sending")
        .values(status=status, finished_at=utcnow())
    )
    await session.commit()


async def _why_not(session: AsyncSession, row: Any, now: datetime) -> str | None:
    """'expired' or 'skipped' when the push must not go out, 'held' when not yet (a therapist
    message in quiet hours waits for their end); None when it may go now."""
    patient_id, kind = row.patient_id, row.kind
    if now > row.not_after:
        return "expired"
    pref = (
        await session.execute(
            select(_s.quiet_from, _s.quiet_to, _s.therapist_messages, _u.timezone)
            .select_from(user_table)
            .outerjoin(reminder_settings_table, _s.patient_id == _u.id)
            .where(_u.id == patient_id)
        )
    ).one()
    quiet = in_quiet_hours(
        now.astimezone(zone(pref.timezone)).time(), pref.quiet_from, pref.quiet_to
    )
    if kind in THERAPIST_KINDS and pref.therapist_messages is False:
        return "skipped"
    if kind not in REMINDER_KINDS:
        return "held" if quiet else None
    if quiet:
        return "skipped"
    facts = await load_facts(session, {patient_id: row.local_date})
    if not facts.still_due(patient_id, kind, row.thing, row.local_date):
        return "skipped"
    return None


async def deliver(
    session: AsyncSession,
    settings: Settings,
    outbox_id: uuid.UUID,
    *,
    sender: Sender,
    now: datetime | None = None,
) -> Outcome:
    """Deliver one outbox row (see the module docstring). Raises DeliveryFailed to be retried."""
    now = now or utcnow()
    row = (
        await session.execute(
            update(push_outbox_table)
            .where(_o.id == outbox_id, _o.status.in_(("pending", "sending")))
            .values(status="sending", attempts=_o.attempts + 1, claimed_at=now)
            .returning(*push_outbox_table.c)
        )
    ).first()
    await session.commit()  # the claim is durable before anything leaves the building
    if row is None:
        return Outcome("busy")
    refusal = await _why_not(session, row, now)
    if refusal == "held":  # back to the queue, this claim not counted as an attempt
        await session.execute(
            update(push_outbox_table)
            .where(_o.id == outbox_id, _o.status == "sending")
            .values(status="pending", attempts=_o.attempts - 1)
        )
        await session.commit()
        return Outcome("pending")
    if refusal is not None:
        await _finish(session, outbox_id, refusal)
        return Outcome(refusal)
    locale = await session.scalar(select(_u.locale).where(_u.id == row.patient_id))
    message = message_for(row.kind, locale or "nb", row.tag, row.not_after - now)
    await session.commit()  # no transaction (on SQLite: no write lock) across the network
    deliveries = await sender(session, settings, row.patient_id, message)
    sent = deliveries.count(Delivery.sent)
    failed = deliveries.count(Delivery.failed)
    dropped = deliveries.count(Delivery.gone)
    if sent:
        status = "sent"  # a device that failed too gets it with the next reminder
    elif failed and row.attempts < MAX_ATTEMPTS:
        await session.execute(
            update(push_outbox_table)
            .where(_o.id == outbox_id, _o.status == "sending")
            .values(status="pending")
        )
        await session.commit()
        raise DeliveryFailed(f"{failed} device(s) asked to try later")
    elif failed or deliveries.count(Delivery.refused):
        status = "failed"
    else:
        status = "no_device"
    await _finish(session, outbox_id, status)
    return Outcome(status, sent=sent, failed=failed, dropped=dropped)
