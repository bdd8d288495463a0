"""Work-focused therapy tables: barriers checks, the communication plan, dialogue meetings and
work goals. Every row belongs to one patient and goes with them on erasure (ON DELETE CASCADE)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
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


class CommunicationPlan(SQLModel, table=True):
    """The patient's current communication plan (what to tell whom at work); only they edit it."""

    __tablename__ = "communication_plans"

    patient_id: uuid.UUID = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    version: int
    share_with_job_counsellor: bool = False
    entries: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CommunicationPlanVersion(SQLModel, table=True):
    """Every saved version of a communication plan (never changed afterwards)."""

    __tablename__ = "communication_plan_versions"
    __table_args__ = (UniqueConstraint("patient_id", "version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    version: int
    share_with_job_counsellor: bool = False
    entries: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    changed_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CommunicationSuggestion(SQLModel, table=True):
    """A therapist's suggestion for the plan; the patient accepts (a draft entry) or dismisses."""

    __tablename__ = "communication_suggestions"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'accepted', 'dismissed')", name="status"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    suggested_by: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    audience: str = Field(max_length=32)
    label: str | None = Field(default=None, max_length=100)
    text: str = Field(max_length=1000)
    how_much: str | None = Field(default=None, max_length=32)
    status: str = Field(default="open", max_length=16)
    entry_id: uuid.UUID | None = None  # the plan entry an accepted suggestion became
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


communication_plan_table = table_of(CommunicationPlan)
communication_plan_version_table = table_of(CommunicationPlanVersion)
communication_suggestion_table = table_of(CommunicationSuggestion)


class DialogueMeeting(SQLModel, table=True):
    """A dialogue meeting at the workplace: when, who, the agenda, and afterwards the outcome.

    `id` is the app's own (a retry never stores it twice). `next_status_check_on` copies the
    outcome's date so the worklist can ask for due status checks in SQL.
    """

    __tablename__ = "dialogue_meetings"
    __table_args__ = (
        Index("ix_dialogue_meetings_patient_starts", "patient_id", "starts_at"),
        CheckConstraint("status IN ('planned', 'held', 'cancelled')", name="status"),
    )

    id: uuid.UUID = Field(primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_by_role: str = Field(max_length=16)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    local_date: date  # starts_at in the patient's time zone
    participants: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    agenda: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="planned", max_length=16)
    outcome: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    outcome_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_status_check_on: date | None = None
    body_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


dialogue_meeting_table = table_of(DialogueMeeting)


class WorkGoal(SQLModel, table=True):
    """A work-related goal with its steps (JSON); a therapist's goal waits for the patient."""

    __tablename__ = "work_goals"
    __table_args__ = (
        Index("ix_work_goals_patient_reached", "patient_id", "reached_on"),
        CheckConstraint("status IN ('proposed', 'active', 'reached', 'dropped')", name="status"),
    )

    id: uuid.UUID = Field(primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_by_role: str = Field(max_length=16)
    title: str = Field(max_length=200)
    why: str | None = Field(default=None, max_length=1000)
    target_on: date | None = None
    status: str = Field(max_length=16)
    steps: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    reached_on: date | None = None  # the patient's local date it was marked reached
    body_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


work_goal_table = table_of(WorkGoal)
