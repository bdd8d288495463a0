"""Work-focused therapy tables: barriers checks, the communication plan, dialogue meetings and
work goals. Every row belongs to one patient and goes with them on erasure (ON DELETE CASCADE)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow


class BarrierCheck(SQLModel, table=True):
    """A patient's barriers check for one local date (one per patient and date)."""

    __tablename__ = "barrier_checks"
    __table_args__ = (UniqueConstraint("patient_id", "local_date"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    local_date: date
    questionnaire_id: uuid.UUID = Field(foreign_key="questionnaire_versions.id")
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    notes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    score: float
    domain_scores: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    highlighted: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # The highest answer to the workplace rule's items (conflict, harassment): the worklist's
    # `workplace_conflict` reads it without the definition.
    workplace_rating: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


barrier_check_table = table_of(BarrierCheck)
