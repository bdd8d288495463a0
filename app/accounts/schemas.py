"""Request and response models for users."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints

from app.accounts.models import Locale, Role, UserBase
from app.core.schemas import DisplayName, RequestModel, TimeZoneName
from app.core.security import PASSWORD_MAX, PASSWORD_MIN

Password = Annotated[str, StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
Email = Annotated[EmailStr, StringConstraints(max_length=320)]


class UserPublic(UserBase):
    id: uuid.UUID
    email: str
    role: Role
    created_at: datetime


class UserUpdate(RequestModel):
    """PATCH /v1/me: only these may change; omitted fields stay as they are."""

    display_name: DisplayName | None = None
    timezone: TimeZoneName | None = None
    locale: Locale | None = None


class UserCreate(RequestModel):
    """What an admin (or the CLI) gives to create a staff account."""

    email: Email
    password: Password
    display_name: DisplayName
    timezone: TimeZoneName = "Europe/Oslo"
    locale: Locale = "nb"


class PasswordChange(RequestModel):
    current_password: Annotated[str, Field(max_length=PASSWORD_MAX)]
    new_password: Password


class AdminUserPublic(UserPublic):
    """What the clinic admin sees of an account (no clinical data)."""

    disabled_at: datetime | None
    on_call: bool = Field(description="A therapist who sees every overdue risk alert.")


class AdminUserUpdate(RequestModel):
    disabled: bool


class OnCallUpdate(RequestModel):
    """Whether this therapist is on call: they then see every overdue risk alert of the clinic."""

    on_call: bool
