"""Stored answers to POST requests that carried an Idempotency-Key."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow

# Rows stored before fingerprints were keyed had theirs blanked to this by their migration: the
# owner and key still tell a retry, the body can no longer be compared.
LEGACY_FINGERPRINT = ""


class IdempotencyKey(SQLModel, table=True):
    """One key of one caller: the request's fingerprint and, once done, the answer it got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # The user id, or for anonymous requests "anon:" and a keyed digest of the email.
    owner: str = Field(max_length=80)
    key: str = Field(max_length=255)
    # HMAC-SHA256 (key derived from the secret key) of the request without its secret fields.
    fingerprint: str = Field(max_length=64)
    status_code: int | None = None
    response_body: str | None = Field(default=None, sa_type=Text)
    # Encrypted (Fernet, key derived from the secret key): the answer carries a one-time secret.
    sealed: bool = Field(default=False)
    # Sealed answers are readable until then, and blanked by `mestring purge` after.
    answer_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


idempotency_key_table = table_of(IdempotencyKey)
