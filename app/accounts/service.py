"""User accounts: creation, lookup and profile edits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role, User, user_table
from app.accounts.passwords import ensure_not_guessable
from app.accounts.schemas import UserCreate, UserUpdate
from app.auth.sessions import revoke_user_sessions
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.pagination import decode_cursor, encode_cursor
from app.core.security import PasswordHasher
from app.core.time import utcnow

_u = user_table.c


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively, so we store and look them up lower-cased."""
    return email.strip().lower()


async def email_taken(session: AsyncSession, *, email: str) -> bool:
    """True when an account already uses this address."""
    found = await session.scalar(select(_u.id).where(_u.email == normalize_email(email)))
    return found is not None


async def add_user(
    session: AsyncSession,
    *,
    hasher: PasswordHasher,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    timezone: str = "Europe/Oslo",
    locale: str = "nb",
) -> User:
    """Add a user to the session and flush (the caller commits); a taken email is a 409."""
    if await email_taken(session, email=email):
        raise Conflict("An account with this email already exists.", code="email_taken")
    await ensure_not_guessable(password, user_inputs=[email.split("@")[0], display_name])
    user = User(
        email=normalize_email(email),
        password_hash=await hasher.hash(password),
        display_name=display_name,
        role=role.value,
        timezone=timezone,
        locale=locale,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:  # lost a race with a concurrent registration
        await session.rollback()
        raise Conflict("An account with this email already exists.", code="email_taken") from exc
    return user


async def create_user(
    session: AsyncSession, *, hasher: PasswordHasher, data: UserCreate, role: Role
) -> User:
    """Create and commit a staff or patient account (admin endpoint and CLI)."""
    user = await add_user(session, hasher=hasher, role=role, **data.model_dump())
    await session.commit()
    return user


async def get_user(session: AsyncSession, *, user_id: uuid.UUID) -> User:
    """The user row, or 404."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.", code="user_not_found")
    return user


async def find_by_email(session: AsyncSession, *, email: str) -> User | None:
    """The user with this (case-insensitive) email, if any."""
    result: User | None = await session.scalar(
        select(User).where(_u.email == normalize_email(email))
    )
    return result


async def update_profile(session: AsyncSession, *, user_id: uuid.UUID, changes: UserUpdate) -> User:
    """Apply the fields the caller sent."""
    user = await get_user(session, user_id=user_id)
    for field, value in changes.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(user, field, value)
    await session.commit()
    return user


async def list_users(
    session: AsyncSession,
    *,
    role: Role | None,
    email_prefix: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[User], str | None]:
    """Accounts for the admin, ordered by email, keyset-paginated."""
    query = select(User)
    if role is not None:
        query = query.where(_u.role == role.value)
    if email_prefix:
        query = query.where(_u.email.startswith(normalize_email(email_prefix), autoescape=True))
    if cursor:
        (after,) = decode_cursor(cursor, 1)
        query = query.where(_u.email > after)
    rows = list((await session.scalars(query.order_by(_u.email).limit(limit + 1))).all())
    page = rows[:limit]
    return page, encode_cursor(page[-1].email) if len(rows) > limit else None


async def set_disabled(
    session: AsyncSession, *, admin_id: uuid.UUID, user_id: uuid.UUID, disabled: bool
) -> User:
    """Disable an account (its sessions are revoked for good: re-enabling does not revive them)
    or re-enable it. An admin cannot disable themselves, nor the last active admin."""
    user = await get_user(session, user_id=user_id)
    if disabled and user.disabled_at is None:
        if user_id == admin_id:
            raise Conflict("You cannot disable your own account.", code="cannot_disable_self")
        if user.role == Role.admin.value:
            await _ensure_another_admin(session, user_id=user_id)
        user.disabled_at = utcnow()
        await revoke_user_sessions(session, user_id=user_id, reason="account_disabled")
    elif not disabled:
        user.disabled_at = None
    await session.commit()
    return user


async def _ensure_another_admin(session: AsyncSession, *, user_id: uuid.UUID) -> None:
    """409 unless an active admin other than `user_id` remains. The active admins' rows are
    locked first (PostgreSQL), so two admins disabling each other at once cannot both win;
    SQLite serialises the two transactions anyway."""
    active = await session.scalars(
        select(_u.id)
        .where(_u.role == Role.admin.value, _u.disabled_at.is_(None))
        .order_by(_u.id)
        .with_for_update()
    )
    if not any(admin != user_id for admin in active):
        raise Conflict("The last active admin cannot be disabled.", code="last_admin")


async def set_on_call(session: AsyncSession, *, user_id: uuid.UUID, on_call: bool) -> User:
    """Put a therapist on call (they see every overdue risk alert of the clinic), or take off."""
    user = await get_user(session, user_id=user_id)
    if user.role != Role.therapist.value:
        raise Unprocessable("Only therapists can be on call.", code="on_call_therapists_only")
    user.on_call = on_call
    await session.commit()
    return user
