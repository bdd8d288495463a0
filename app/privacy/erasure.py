"""DELETE /v1/me: erase a patient's account and every row about them, in one transaction.

The users row is deleted and ON DELETE CASCADE takes every row whose foreign keys lead to it:
sessions (so every token stops working) and their refresh tokens, care links, assignments and
doses, exercise logs, check-ins, booster requests and their events, rule overrides,
follow-ups, the RTW completion, plan and versions, diary, measure schedules and responses,
risk alerts, consents and the access log. Which
tables those are is read from the metadata, so a table added later with a cascading key to
users is erased and counted without a change here. The access log is append-only: its
triggers (PostgreSQL and SQLite) let rows go only as that cascade, so nothing here deletes
from it directly.

Not covered by a cascade, handled here in the same transaction:
- `idempotency_keys.owner` is the user id as text, or for the registration a keyed digest of
  the email (no foreign key): those rows go, and so do other callers' keys whose stored answer
  names the patient's id or email (a therapist's new assignment). Sealed answers (an
  invitation's code) cannot be searched; they are blanked within minutes anyway.
- `invitations` made out to the patient's email go; the one they registered with and that
  named no one is the therapist's record and stays (`used_by` is SET NULL).
- `access_log.reader_id` has no cascade; it only names staff, and only patients erase.
- Throttling counts keyed by the patient's email or id (the per-account back-offs) go; in
  Redis they go at once, before the commit. Per-address counts name no one.

What stays is one `erasure_receipts` row: when, the role, a keyed pseudonym of the id (see
`erasure_pseudonym`) and the rows deleted per table. No name, email or free text. Risk alerts
are never deleted otherwise (triggers refuse it); after erasure they survive only as the
`risk_alerts` count in the receipt.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from sqlalchemy import ColumnElement, Table, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.care.models import invitation_table
from app.core.config import Settings
from app.core.db import rowcount
from app.core.errors import BadRequest, Unauthorized
from app.core.security import PasswordHasher
from app.core.time import utcnow
from app.idempotency.models import idempotency_key_table
from app.idempotency.service import anonymous_owner
from app.models import metadata
from app.privacy.models import erasure_receipt_table
from app.sync import purge as sync_log
from app.throttle.service import Throttle, account_backoff, account_entries, admit

_u = user_table.c
_ik = idempotency_key_table.c
_inv = invitation_table.c


def erasure_pseudonym(secret_key: str, user_id: uuid.UUID) -> str:
    """HMAC-SHA256(secret key, str(user id)) in hex: what the receipt keeps instead of the id."""
    return hmac.new(secret_key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def cascade_scope(user_id: uuid.UUID) -> dict[Table, ColumnElement[bool]]:
    """For every table a deleted user row cascades into, which of its rows go with it."""
    where: dict[Table, ColumnElement[bool]] = {user_table: _u.id == user_id}
    for table in metadata.sorted_tables:  # parents before children
        if table is user_table:
            continue
        links: list[ColumnElement[bool]] = []
        for key in table.foreign_keys:
            parent = key.column.table
            if (key.ondelete or "").upper() != "CASCADE" or parent not in where:
                continue
            if parent is user_table:
                links.append(key.parent == user_id)
            else:
                links.append(key.parent.in_(select(key.column).where(where[parent])))
        if links:
            where[table] = or_(*links)
    return where


async def _counts(session: AsyncSession, user_id: uuid.UUID) -> dict[str, int]:
    """Rows per table the cascade will delete, in one statement."""
    scope = cascade_scope(user_id)
    query = select(
        *[
            select(func.count())
            .select_from(table)
            .where(condition)
            .scalar_subquery()
            .label(f"n{i}")
            for i, (table, condition) in enumerate(scope.items())
        ]
    )
    row = (await session.execute(query)).one()
    return {table.name: int(row[i]) for i, table in enumerate(scope)}


async def _check_password(
    session: AsyncSession,
    *,
    hasher: PasswordHasher,
    throttle: Throttle,
    settings: Settings,
    user_id: uuid.UUID,
    password: str,
) -> tuple[str, str]:
    """(role, email) once the password matches; failures back off per account like logins."""
    rule = account_backoff(settings, "erase")
    key = str(user_id)
    await admit(
        throttle,
        session,
        rule,
        key,
        code="erase_throttled",
        detail="Too many wrong passwords; wait a little and try again.",
    )
    row = (
        await session.execute(select(_u.password_hash, _u.role, _u.email).where(_u.id == user_id))
    ).first()
    if row is None:
        # Erased by a request that committed while this one waited: the session is gone too.
        raise Unauthorized()
    ok, _ = await hasher.verify(password, row.password_hash)
    if not ok:
        # Not a 401: the token is fine, and a 401 would make the app sign the patient out.
        raise BadRequest("The password is wrong.", code="wrong_password")
    await throttle.reset(session, rule, key)
    return str(row.role), str(row.email)


async def erase_account(
    session: AsyncSession,
    *,
    hasher: PasswordHasher,
    throttle: Throttle,
    settings: Settings,
    user_id: uuid.UUID,
    password: str,
) -> None:
    """Check the password, then delete the account and every row about it in one transaction."""
    role, email = await _check_password(
        session,
        hasher=hasher,
        throttle=throttle,
        settings=settings,
        user_id=user_id,
        password=password,
    )
    # Hold the account row to the end, so a second erasure sent at once waits and then finds
    # nothing to erase (no second receipt); SQLite's IMMEDIATE transactions serialise anyway.
    held = await session.scalar(select(_u.id).where(_u.id == user_id).with_for_update())
    if held is None:
        raise Unauthorized()
    deleted = await _counts(session, user_id)
    secret_key = settings.resolved_secret_key()
    keys = await session.execute(
        delete(idempotency_key_table).where(
            or_(
                _ik.owner.in_([str(user_id), anonymous_owner(secret_key, email)]),
                _ik.response_body.contains(str(user_id), autoescape=True),
                func.lower(_ik.response_body).contains(email.lower(), autoescape=True),
            )
        )
    )
    deleted["idempotency_keys"] = rowcount(keys)
    invited = await session.execute(delete(invitation_table).where(_inv.email == email.lower()))
    deleted["invitations"] = rowcount(invited)
    await throttle.forget(session, account_entries(settings, email=email, user_id=str(user_id)))
    await session.execute(
        insert(erasure_receipt_table).values(
            id=uuid.uuid4(),
            erased_at=utcnow(),
            role=role,
            pseudonym=erasure_pseudonym(settings.resolved_secret_key(), user_id),
            deleted_rows=deleted,
        )
    )
    await session.execute(delete(user_table).where(_u.id == user_id))
    # After the cascade: its deletes wrote change-log rows (triggers), which go too. Not counted
    # in the receipt (the log is derived data, like an index).
    await sync_log.forget_patient(session, patient_id=user_id)
    await session.commit()
