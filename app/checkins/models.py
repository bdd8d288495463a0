"""Daily check-ins (the RTW-SE questionnaire versions live in app/instruments/models.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow


class Checkin(SQLModel, table=True):
    """A patient's RTW-SE answers for one local date (one per patient and date)."""

    __tablename__ = "checkins"
    __table_args__ = (
        # Covering on PostgreSQL: the worklist's last check-in and booster-rule window read
        # this index alone (index-only scans, no heap visit per check-in; issue 12).
        UniqueConstraint("patient_id", "local_date", postgresql_include=["score"]),
        CheckConstraint("mood IS NULL OR (mood >= 0 AND mood <= 10)", name="mood"),
        CheckConstraint(
            "worry_minutes IS NULL OR (worry_minutes >= 0 AND worry_minutes <= 1440)",
            name="worry_minutes",
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    local_date: date
    questionnaire_id: uuid.UUID = Field(foreign_key="questionnaire_versions.id")
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    score: float
    mood: int | None = None
    worry_minutes: int | None = None
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


checkin_table = table_of(Checkin)
