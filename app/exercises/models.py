"""Homework: assignments (with their dose history) and the patient's exercise logs."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow
from app.exercises.kinds import KIND_VALUES

_KIND_CHECK = "exercise_kind IN (" + ", ".join(f"'{k}'" for k in KIND_VALUES) + ")"


class ExerciseAssignment(SQLModel, table=True):
    """A therapist's prescription of one exercise kind to one patient, from a date."""

    __tablename__ = "exercise_assignments"
    __table_args__ = (
        CheckConstraint(_KIND_CHECK, name="exercise_kind"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        Index("ix_exercise_assignments_patient_kind", "patient_id", "exercise_kind"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    therapist_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    exercise_kind: str = Field(max_length=32)
    starts_on: date
    ends_on: date | None = None
    worry_time: time | None = None
    instructions: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssignmentDose(SQLModel, table=True):
    """The dose in force from `effective_from` until the next row's date (history is kept)."""

    __tablename__ = "assignment_doses"
    __table_args__ = (
        UniqueConstraint("assignment_id", "effective_from"),
        CheckConstraint(
            "(times_per_day IS NULL) <> (times_per_week IS NULL)", name="one_dose_unit"
        ),
        CheckConstraint("times_per_day IS NULL OR times_per_day >= 1", name="per_day_positive"),
        CheckConstraint("times_per_week IS NULL OR times_per_week >= 1", name="per_week_positive"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    assignment_id: uuid.UUID = Field(foreign_key="exercise_assignments.id", ondelete="CASCADE")
    effective_from: date
    times_per_day: int | None = None
    times_per_week: int | None = None
    paused: bool = False
    changed_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExerciseLog(SQLModel, table=True):
    """One practice, recorded by the patient's phone under a client-generated id."""

    __tablename__ = "exercise_logs"
    __table_args__ = (
        CheckConstraint(_KIND_CHECK, name="exercise_kind"),
        CheckConstraint("duration_seconds >= 0", name="duration_non_negative"),
        Index("ix_exercise_logs_patient_started", "patient_id", "started_at"),
        # Covering on PostgreSQL: adherence reads a caseload's logs of a window from this index
        # alone (index-only scans, one probe per patient), never the table (issue 12).
        Index(
            "ix_exercise_logs_patient_local_date",
            "patient_id",
            "local_date",
            postgresql_include=["assignment_id", "exercise_kind"],
        ),
    )

    id: uuid.UUID = Field(primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    assignment_id: uuid.UUID | None = Field(
        default=None, foreign_key="exercise_assignments.id", ondelete="SET NULL", index=True
    )
    exercise_kind: str = Field(max_length=32)
    started_at: datetime = Field(sa_type=UTCDateTime)
    # The patient's local date of `started_at` when it was logged: daily counts use it.
    local_date: date
    duration_seconds: int
    details: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # sha256 of the canonical JSON of the request: a retry must match it exactly.
    body_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


assignment_table = table_of(ExerciseAssignment)
dose_table = table_of(AssignmentDose)
exercise_log_table = table_of(ExerciseLog)
