"""User accounts: creation, lookup and profile edits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role, User, user_table
from app.accounts.passwords import ensure_not_guessable
from app.accounts.schemas import UserCreate, UserUpdate
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


async def set_disabled(session: AsyncSession, *, user_id: uuid.UUID, disabled: bool) -> User:
    """Disable (every token stops working at once) or re-enable an account."""
    user = await get_user(session, user_id=user_id)
    if disabled and user.disabled_at is None:
        user.disabled_at = utcnow()
    elif not disabled:
        user.disabled_at = None
    await session.commit()
    return user


async def set_on_call(session: AsyncSession, *, user_id: uuid.UUID, on_call: bool) -> User:
    """Put a therapist on call (they see every overdue risk alert of the clinic), or take off."""
    user = await get_user(session, user_id=user_id)
    if user.role != Role.therapist.value:
        raise Unprocessable("Only therapists can be on call.", code="on_call_therapists_only")
    user.on_call = on_call
    await session.commit()
    return user
