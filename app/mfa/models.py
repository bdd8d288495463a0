"""A user's TOTP factor (secret encrypted at rest) and their recovery codes (stored hashed)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.accounts.models import Role
from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow

# Who may (and, with MESTRING_REQUIRE_MFA, must) use a second factor; patients never.
MFA_ROLES = frozenset({Role.therapist, Role.job_counsellor, Role.admin})


class MfaFactor(SQLModel, table=True):
    """At most one TOTP factor per user; unconfirmed until a first code has been checked."""

    __tablename__ = "mfa_factors"

    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    # Fernet token of the base32 secret (key derived from MESTRING_SECRET_KEY).
    secret_encrypted: str = Field(max_length=255)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The 30-second step of the last accepted code: a step is used once, later ones only.
    last_used_step: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MfaRecoveryCode(SQLModel, table=True):
    """One single-use recovery code, as its SHA-256 digest."""

    __tablename__ = "mfa_recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


mfa_factor_table = table_of(MfaFactor)
mfa_recovery_code_table = table_of(MfaRecoveryCode)
