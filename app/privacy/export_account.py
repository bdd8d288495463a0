"""The account side of the export: care-link history, sessions, invitations, the access log,
push devices.

Each is one set-based statement. Never selected: token material of any kind (refresh-token
hashes, session ids that access tokens carry), invitation code digests, MFA state, a Web Push
subscription's authentication secret.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.auth.models import auth_session_table
from app.care.models import care_link_table, invitation_table
from app.core.time import utcnow
from app.devices.models import device_table
from app.privacy.export_records import DEVICE_LEFT_OUT, exported_columns
from app.privacy.models import access_log_table
from app.privacy.schemas import AccessLogPublic, Record
from app.reminders.models import push_outbox_table, reminder_settings_table


async def care_links(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """Which therapist followed the patient, from when to when (null: still does)."""
    link, u = care_link_table.c, user_table.c
    rows = await session.execute(
        select(
            link.id,
            link.therapist_id,
            u.display_name.label("therapist_name"),
            link.created_at.label("from"),
            link.ended_at.label("to"),
        )
        .join_from(care_link_table, user_table, u.id == link.therapist_id)
        .where(link.patient_id == patient_id)
        .order_by(link.created_at, link.id)
    )
    return [dict(row._mapping) for row in rows]


async def sessions(session: AsyncSession, patient_id: uuid.UUID, *, max_days: int) -> list[Record]:
    """Every login still on record: device, created, last used, and when and why it ended."""
    s = auth_session_table.c
    rows = await session.execute(
        select(
            s.device_label,
            s.created_at,
            s.last_used_at,
            s.revoked_at,
            s.revoked_reason,
        )
        .where(s.user_id == patient_id)
        .order_by(s.created_at)
    )
    now = utcnow()
    found: list[Record] = []
    for row in rows:
        lifetime_end = row.created_at + timedelta(days=max_days)
        ended_at, reason = row.revoked_at, row.revoked_reason
        if ended_at is None and lifetime_end <= now:
            ended_at, reason = lifetime_end, "expired"
        found.append(
            {
                "device_label": row.device_label,
                "created_at": row.created_at,
                "last_used_at": row.last_used_at,
                "ended_at": ended_at,
                "ended_reason": reason,
            }
        )
    return found


async def invitations(session: AsyncSession, patient_id: uuid.UUID, email: str) -> list[Record]:
    """Invitations made out to the patient's email, or the one they registered with."""
    inv, u = invitation_table.c, user_table.c
    rows = await session.execute(
        select(
            inv.id,
            inv.therapist_id,
            u.display_name.label("therapist_name"),
            inv.email,
            inv.created_at,
            inv.expires_at,
            inv.used_at,
            inv.revoked_at,
        )
        .join_from(invitation_table, user_table, u.id == inv.therapist_id)
        .where(or_(inv.email == email, inv.used_by == patient_id))
        .order_by(inv.created_at, inv.id)
    )
    return [dict(row._mapping) for row in rows]


async def access_log(session: AsyncSession, patient_id: uuid.UUID) -> list[AccessLogPublic]:
    """Every read of the patient's data by staff, oldest first, names as they were then."""
    log = access_log_table.c
    rows = await session.execute(
        select(
            log.id,
            log.reader_id,
            log.reader_name,
            log.reader_role,
            log.kind,
            log.reason,
            log.records,
            log.created_at,
        )
        .where(log.patient_id == patient_id)
        .order_by(log.created_at, log.id)
    )
    return [AccessLogPublic.model_validate(row, from_attributes=True) for row in rows]


async def devices(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """The devices registered for push messages, without the subscription's auth secret (a
    credential, not information about the patient)."""
    d = device_table.c
    columns = [d[name] for name in exported_columns(device_table, DEVICE_LEFT_OUT)]
    rows = await session.execute(
        select(*columns).where(d.patient_id == patient_id).order_by(d.created_at, d.id)
    )
    return [dict(row._mapping) for row in rows]


async def reminder_settings(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """The reminder preferences (none until the patient saved some)."""
    table = reminder_settings_table
    columns = [table.c[name] for name in exported_columns(table, frozenset())]
    rows = await session.execute(select(*columns).where(table.c.patient_id == patient_id))
    return [dict(row._mapping) for row in rows]


async def pushes(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """Every push the service wrote for the patient (reminders, therapist messages) and what
    became of it."""
    o = push_outbox_table.c
    columns = [o[name] for name in exported_columns(push_outbox_table, frozenset())]
    rows = await session.execute(
        select(*columns).where(o.patient_id == patient_id).order_by(o.created_at, o.id)
    )
    return [dict(row._mapping) for row in rows]
