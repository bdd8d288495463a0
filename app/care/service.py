"""Invitations, registration through an invitation, care links and the patient profile."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.locks import lock_patient
from app.accounts.models import Role, User, user_table
from app.accounts.passwords import ensure_not_guessable
from app.care.access import PatientScope, patient_not_found
from app.care.models import CareLink, Invitation, care_link_table, invitation_table
from app.care.schemas import (
    CareLinkCreate,
    InvitationCreate,
    InvitationCreated,
    InvitationPublic,
    PatientProfile,
    RegisterRequest,
    RegistrationAccepted,
)
from app.core.db import rowcount
from app.core.errors import BadRequest, Conflict, NotFound, Unprocessable
from app.core.pagination import encode_keyset, older_than
from app.core.security import PasswordHasher, code_digest, hash_code
from app.core.time import utcnow
from app.privacy import service as privacy

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: typed by hand on a phone
_CODE_LENGTH = 12
_inv = invitation_table.c
_cl = care_link_table.c
_u = user_table.c


def _new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _CODE_LENGTH, 4))


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _status(invitation: Invitation, now: datetime) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.used_at is not None:
        return "used"
    return "expired" if invitation.expires_at <= now else "pending"


def _public(invitation: Invitation, now: datetime) -> InvitationPublic:
    return InvitationPublic(
        id=invitation.id,
        email=invitation.email,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        status=_status(invitation, now),  # type: ignore[arg-type]
    )


async def create_invitation(
    session: AsyncSession,
    *,
    therapist_id: uuid.UUID,
    data: InvitationCreate,
    default_days: int,
    secret_key: str,
) -> InvitationCreated:
    """A single-use code; only a keyed digest is kept, so this is the one time it is shown."""
    now = utcnow()
    code = _new_code()
    invitation = Invitation(
        therapist_id=therapist_id,
        code_hash=code_digest(secret_key, _normalize_code(code)),
        email=accounts.normalize_email(data.email) if data.email else None,
        created_at=now,
        expires_at=now + timedelta(days=data.expires_in_days or default_days),
    )
    session.add(invitation)
    await session.commit()
    return InvitationCreated(**_public(invitation, now).model_dump(), code=code)


async def list_invitations(
    session: AsyncSession, *, therapist_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[InvitationPublic], str | None]:
    """The therapist's invitations, newest first, keyset-paginated."""
    query = select(Invitation).where(_inv.therapist_id == therapist_id)
    if cursor:
        query = query.where(older_than(_inv.created_at, _inv.id, cursor))
    query = query.order_by(_inv.created_at.desc(), _inv.id.desc()).limit(limit + 1)
    rows = list((await session.scalars(query)).all())
    now = utcnow()
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_keyset(last.created_at, last.id)
    return [_public(invitation, now) for invitation in page], next_cursor


async def revoke_invitation(
    session: AsyncSession, *, therapist_id: uuid.UUID, invitation_id: uuid.UUID
) -> None:
    """Withdraw an unused invitation of one's own; a used one is a 409."""
    invitation = await session.scalar(
        select(Invitation).where(
            _inv.id == invitation_id,
            _inv.therapist_id == therapist_id,
        )
    )
    if invitation is None:
        raise NotFound("Invitation not found.", code="invitation_not_found")
    if invitation.used_at is not None:
        raise Conflict("The invitation has already been used.", code="invitation_used")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
    await session.commit()


def _code_digests(secret_key: str, code: str) -> list[str]:
    """What an invitation code may be stored as: the keyed digest, or (codes handed out before
    keyed digests, until they expire) the plain SHA-256."""
    normalized = _normalize_code(code)
    return [code_digest(secret_key, normalized), hash_code(normalized)]


async def register_patient(
    session: AsyncSession,
    *,
    hasher: PasswordHasher,
    data: RegisterRequest,
    secret_key: str,
) -> RegistrationAccepted:
    """Create a patient from an invitation and link them to its therapist, in one transaction.

    An email that already has an account gets the same answer as a new one, after the same
    work (password check and hash), and the code stays unused: the caller learns nothing about
    who has an account. Only when the code was made out to that very email (the therapist
    already knows the address) is the taken email a 409.
    """
    now = utcnow()
    invalid = BadRequest(
        "The invitation code is unknown, expired or already used.", code="invalid_invitation"
    )
    email = accounts.normalize_email(data.email)
    invitation = await session.scalar(
        select(Invitation).where(
            _inv.code_hash.in_(_code_digests(secret_key, data.invitation_code))
        )
    )
    if (
        invitation is None
        or _status(invitation, now) != "pending"
        or (invitation.email and invitation.email != email)
    ):
        raise invalid
    if await accounts.email_taken(session, email=email):
        if invitation.email == email:
            raise Conflict("An account with this email already exists.", code="email_taken")
        await ensure_not_guessable(
            data.password, user_inputs=[email.split("@")[0], data.display_name]
        )
        await hasher.hash(data.password)  # the same cost as creating the account
        return RegistrationAccepted()
    therapist_id = invitation.therapist_id
    user = await accounts.add_user(
        session,
        hasher=hasher,
        email=data.email,
        password=data.password,
        display_name=data.display_name,
        role=Role.patient,
        timezone=data.timezone,
        locale=data.locale,
    )
    consumed = await session.execute(
        update(invitation_table)
        .where(_inv.id == invitation.id, _inv.used_at.is_(None), _inv.revoked_at.is_(None))
        .values(used_at=now, used_by=user.id)
    )
    if rowcount(consumed) != 1:  # a concurrent registration won
        await session.rollback()
        raise invalid
    session.add(CareLink(patient_id=user.id, therapist_id=therapist_id, created_at=now))
    await session.commit()
    return RegistrationAccepted()


async def _user_with_role(session: AsyncSession, user_id: uuid.UUID, role: Role) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.", code="user_not_found")
    if user.role != role.value:
        raise Unprocessable(f"The user is not a {role.value}.", code=f"not_a_{role.value}")
    return user


async def link_patient(session: AsyncSession, *, data: CareLinkCreate) -> CareLink:
    """Give the patient to this therapist, ending any other active link first.

    The patient's row lock comes first (app/accounts/locks.py), so two moves of one patient
    run one after the other on PostgreSQL as on SQLite: the second finds the first's link
    and moves the patient on from there (tests/test_races.py)."""
    await lock_patient(session, patient_id=data.patient_id)  # no such user: 404 just below
    await _user_with_role(session, data.patient_id, Role.patient)
    await _user_with_role(session, data.therapist_id, Role.therapist)
    current = await session.scalar(
        select(CareLink).where(_cl.patient_id == data.patient_id, _cl.ended_at.is_(None))
    )
    if current is not None and current.therapist_id == data.therapist_id:
        return current
    now = utcnow()
    if current is not None:
        current.ended_at = now
        await session.flush()
    link = CareLink(patient_id=data.patient_id, therapist_id=data.therapist_id, created_at=now)
    session.add(link)
    try:
        await session.commit()
    except IntegrityError as exc:  # backstop: an active link appeared without the lock
        await session.rollback()
        raise Conflict(
            "The patient was just moved by another request; look again.",
            code="care_link_changed",
        ) from exc
    return link


async def end_link(session: AsyncSession, *, link_id: uuid.UUID) -> None:
    """End a care link; the therapist loses access at once."""
    link = await session.get(CareLink, link_id)
    if link is None:
        raise NotFound("Care link not found.", code="care_link_not_found")
    if link.ended_at is None:
        link.ended_at = utcnow()
    await session.commit()


async def patient_profile(session: AsyncSession, *, scope: PatientScope) -> PatientProfile:
    """Who the patient is, for their linked therapist."""
    row = (
        await session.execute(
            select(_u.id, _u.display_name, _u.email, _u.timezone, _u.locale, _cl.created_at)
            .join_from(user_table, care_link_table, _cl.patient_id == _u.id)
            .where(
                _u.id == scope.patient_id,
                _cl.therapist_id == scope.therapist_id,
                _cl.ended_at.is_(None),
            )
        )
    ).first()
    if row is None:
        raise patient_not_found()
    return PatientProfile(
        id=row.id,
        display_name=row.display_name,
        email=row.email,
        timezone=row.timezone,
        locale=row.locale,
        linked_since=row.created_at,
        employer_contact=await privacy.current_consent(session, patient_id=scope.patient_id),
    )
