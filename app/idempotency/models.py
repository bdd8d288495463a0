"""Stored answers to POST requests that carried an Idempotency-Key."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow


class IdempotencyKey(SQLModel, table=True):
    """One key of one caller: the request's fingerprint and, once done, the answer it got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # The user id, or for anonymous requests a digest of the request itself.
    owner: str = Field(max_length=80)
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    status_code: int | None = None
    response_body: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


idempotency_key_table = table_of(IdempotencyKey)
