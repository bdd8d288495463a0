"""Throttling state in the database (used when no Redis is configured)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from app.core.db import table_of


class RateCounter(SQLModel, table=True):
    """How often `key` was hit in the window that starts at `window_start` (epoch seconds)."""

    __tablename__ = "rate_counters"

    key: str = Field(max_length=200, primary_key=True)
    window_start: int = Field(sa_type=BigInteger, primary_key=True)
    hits: int
    expires_at: int = Field(sa_type=BigInteger, index=True)


class ThrottleBackoff(SQLModel, table=True):
    """Failures in a row of one account at one door (login, password change, …) and until when
    the next attempt must wait (epoch seconds); forgotten at `expires_at`."""

    __tablename__ = "throttle_backoffs"

    key: str = Field(max_length=200, primary_key=True)
    failures: int
    blocked_until: int = Field(sa_type=BigInteger)
    expires_at: int = Field(sa_type=BigInteger, index=True)


rate_counter_table = table_of(RateCounter)
throttle_backoff_table = table_of(ThrottleBackoff)
