"""Reminder preferences, the push outbox, and the reminders already sent (issue 17)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow


class ReminderSettings(SQLModel, table=True):
    """One row per patient who saved preferences; local wall-clock times (no zone: the
    patient's current zone is applied each day, so a move keeps "19:00" at 19:00)."""

    __tablename__ = "reminder_settings"
    __table_args__ = (
        CheckConstraint(
            "worry_time_minutes_before IS NULL OR "
            "(worry_time_minutes_before >= 0 AND worry_time_minutes_before <= 240)",
            name="worry_minutes",
        ),
        CheckConstraint("(quiet_from IS NULL) = (quiet_to IS NULL)", name="quiet_pair"),
    )

    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    checkin_at: time | None = None
    worry_time_minutes_before: int | None = None
    homework_at: time | None = None
    measures_at: time | None = None
    quiet_from: time | None = None
    quiet_to: time | None = None
    therapist_messages: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PushOutbox(SQLModel, table=True):
    """A push to deliver: written in the transaction of its event (a therapist message) or by
    the scheduler together with its `sent_reminders` row; delivered by `deliver_outbox`."""

    __tablename__ = "push_outbox"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'expired', 'no_device')",
            name="status",
        ),
        Index("ix_push_outbox_status_created_at", "status", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=32)
    thing: str = Field(default="", max_length=64)  # assignment id, measure name, or ""
    local_date: date | None = None  # the local day of a time-based reminder
    tag: str = Field(max_length=32)
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    not_after: datetime = Field(sa_type=UTCDateTime)  # too late to be useful after this
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SentReminder(SQLModel, table=True):
    """At most one reminder per patient, kind, thing and local date: a database fact."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("patient_id", "kind", "thing", "local_date"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    thing: str = Field(default="", max_length=64)
    local_date: date
    outbox_id: uuid.UUID  # the push it was sent as (no foreign key: written first)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


reminder_settings_table = table_of(ReminderSettings)
push_outbox_table = table_of(PushOutbox)
sent_reminder_table = table_of(SentReminder)
