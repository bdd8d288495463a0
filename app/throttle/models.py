"""Fixed-window counters in the database (used when no Redis is configured)."""

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


rate_counter_table = table_of(RateCounter)
