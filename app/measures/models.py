"""Symptom measures: the therapist's schedules, the patient's responses, and risk alerts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow

ACTIONS = ("called_patient", "met_patient", "referred_emergency", "scheduled_session", "other")


class MeasureSchedule(SQLModel, table=True):
    """A measure due for the patient every `every_days` days from `starts_on` (one per measure)."""

    __tablename__ = "measure_schedules"
    __table_args__ = (
        UniqueConstraint("patient_id", "measure"),
        CheckConstraint("every_days >= 7 AND every_days <= 56", name="every_days"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    measure: str = Field(max_length=32)
    every_days: int
    starts_on: date
    updated_by: uuid.UUID = Field(foreign_key="users.id")  # staff are disabled, never deleted
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MeasureResponse(SQLModel, table=True):
    """One answered measure; the id is the app's own, so a retry never stores it twice."""

    __tablename__ = "measure_responses"
    __table_args__ = (
        Index("ix_measure_responses_patient_measure", "patient_id", "measure", "answered_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    measure: str = Field(max_length=32)
    questionnaire_id: uuid.UUID = Field(foreign_key="questionnaire_versions.id")
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    score: float
    band: str | None = Field(default=None, max_length=32)
    answered_at: datetime = Field(sa_type=UTCDateTime)
    local_date: date
    # The scheduled occurrence the answer fell in (its due date), and whether it came after
    # that occurrence's answer window; both as they were when the answer arrived.
    due_on: date | None = None
    late: bool = False
    body_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RiskAlert(SQLModel, table=True):
    """An answer that a therapist must see and acknowledge (PHQ-9 item 9 above 0).

    Never deleted (only the patient's erasure takes it, leaving a count in the receipt) and
    frozen once acknowledged: database triggers hold both, as for the access log.
    """

    __tablename__ = "risk_alerts"
    __table_args__ = (
        UniqueConstraint("response_id", "rule"),
        Index("ix_risk_alerts_patient_created", "patient_id", "created_at"),
        Index(
            "ix_risk_alerts_unacknowledged",
            "created_at",
            postgresql_where=text("acknowledged_at IS NULL"),
            sqlite_where=text("acknowledged_at IS NULL"),
        ),
        CheckConstraint(
            "action_taken IS NULL OR action_taken IN "
            "('called_patient', 'met_patient', 'referred_emergency', 'scheduled_session', 'other')",
            name="action_taken",
        ),
        CheckConstraint(
            "(acknowledged_at IS NULL) = (action_taken IS NULL) "
            "AND (acknowledged_at IS NULL) = (acknowledged_by IS NULL)",
            name="acknowledged_whole",
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    response_id: uuid.UUID = Field(foreign_key="measure_responses.id", ondelete="CASCADE")
    measure: str = Field(max_length=32)
    rule: str = Field(max_length=32)
    item_id: str = Field(max_length=32)
    answer: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    action_taken: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=1000)


measure_schedule_table = table_of(MeasureSchedule)
measure_response_table = table_of(MeasureResponse)
risk_alert_table = table_of(RiskAlert)
