"""The users table: patients, therapists, job counsellors and clinic admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow

Locale = Literal["nb", "en"]


class Role(StrEnum):
    patient = "patient"
    therapist = "therapist"
    job_counsellor = "job_counsellor"
    admin = "admin"


class UserBase(SQLModel):
    display_name: str = Field(max_length=100)
    timezone: str = Field(default="Europe/Oslo", max_length=64)
    locale: str = Field(default="nb", max_length=8)


class User(UserBase, table=True):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('patient', 'therapist', 'job_counsellor', 'admin')", name="role"),
        CheckConstraint("locale IN ('nb', 'en')", name="locale"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Stored lower-cased: uniqueness and login are case-insensitive.
    email: str = Field(max_length=320, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Therapists on call see every overdue risk alert of the clinic (set by an admin).
    on_call: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


user_table = table_of(User)
