"""Booster-session requests and their history, per-patient rule parameters, follow-ups."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow

# The partial unique index's predicate, also the ON CONFLICT target's (app/boosters/requests.py):
# written as the same literal text in both, never as a bound value, so PostgreSQL can match the
# index in a generic plan too (tests/test_generic_plans.py).
OPEN_REQUEST = "status = 'open'"


class BoosterRequest(SQLModel, table=True):
    """A request for an extra session; at most one per patient is open at a time."""

    __tablename__ = "booster_requests"
    __table_args__ = (
        CheckConstraint("source IN ('patient', 'checkin_rule', 'follow_up')", name="source"),
        CheckConstraint(
            "status IN ('open', 'scheduled', 'completed', 'declined', 'cancelled')", name="status"
        ),
        Index(
            "uq_booster_requests_open_patient",
            "patient_id",
            unique=True,
            postgresql_where=text(OPEN_REQUEST),
            sqlite_where=text(OPEN_REQUEST),
        ),
        Index("ix_booster_requests_patient_created", "patient_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    source: str = Field(max_length=16)
    status: str = Field(max_length=16, default="open")
    reason: str | None = Field(default=None, max_length=500)
    preferred_times: str | None = Field(default=None, max_length=500)
    scheduled_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BoosterRequestEvent(SQLModel, table=True):
    """One step in a request's life: who moved it from what to what, and when."""

    __tablename__ = "booster_request_events"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    request_id: uuid.UUID = Field(foreign_key="booster_requests.id", ondelete="CASCADE", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_role: str = Field(max_length=16)  # patient, therapist or system (the rule)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BoosterRuleOverride(SQLModel, table=True):
    """A therapist's parameters for one patient's booster rule (else the settings' defaults)."""

    __tablename__ = "booster_rule_overrides"

    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    window_days: int
    min_checkins: int
    low_threshold: float
    drop_threshold: float
    cooldown_days: int
    enabled: bool
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RtwCompletion(SQLModel, table=True):
    """When the patient fully returned to work: the therapist's record (`rtw_completed_on`,
    null: not, or no longer, recorded) and the plan's 0 % stage (`plan_return_on`, which may
    lie in the future). The follow-ups count from the therapist's record when there is one."""

    __tablename__ = "rtw_completions"

    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    rtw_completed_on: date | None = None
    plan_return_on: date | None = None
    source: str = Field(max_length=32)
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FollowUp(SQLModel, table=True):
    """A contact due some months after full return to work (reason `full_return`), or after a
    new job started (reason `new_job`, one series per employment record): still working? need
    a booster?"""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'answered', 'cancelled')", name="status"),
        CheckConstraint("reason IN ('full_return', 'new_job')", name="reason"),
        CheckConstraint(
            "(reason = 'new_job') = (employment_id IS NOT NULL)", name="new_job_has_employment"
        ),
        CheckConstraint(
            "contacted_by IS NULL OR contacted_by IN ('app', 'phone', 'meeting', 'message')",
            name="contacted_by",
        ),
        Index(
            "uq_follow_ups_pending_return_months",
            "patient_id",
            "months",
            unique=True,
            postgresql_where=text("status = 'pending' AND employment_id IS NULL"),
            sqlite_where=text("status = 'pending' AND employment_id IS NULL"),
        ),
        Index(
            "uq_follow_ups_pending_employment_months",
            "employment_id",
            "months",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_follow_ups_patient_due", "patient_id", "due_on"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    months: int
    # The day the months count from: the full return to work, or the new job's first day.
    full_return_on: date
    due_on: date
    source: str = Field(max_length=32)
    reason: str = Field(
        default="full_return", max_length=16, sa_column_kwargs={"server_default": "full_return"}
    )
    employment_id: uuid.UUID | None = Field(
        default=None, foreign_key="employments.id", ondelete="CASCADE"
    )
    status: str = Field(max_length=16, default="pending")
    still_working: bool | None = None
    needs_booster: bool | None = None
    note: str | None = Field(default=None, max_length=500)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Who answered and how: the patient in the app, or a therapist by phone, meeting or message.
    answered_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    answered_by_role: str | None = Field(default=None, max_length=16)
    contacted_by: str | None = Field(default=None, max_length=16)
    booster_request_id: uuid.UUID | None = Field(
        default=None, foreign_key="booster_requests.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


booster_request_table = table_of(BoosterRequest)
booster_event_table = table_of(BoosterRequestEvent)
booster_rule_table = table_of(BoosterRuleOverride)
rtw_completion_table = table_of(RtwCompletion)
follow_up_table = table_of(FollowUp)
