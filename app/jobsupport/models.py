"""Job-support links (counsellor proposed by the therapist, accepted by the patient), employment
records, monthly joint meetings and contacts with the employer."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Index, text
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow

LINK_STATUSES = ("proposed", "accepted", "declined", "ended")


class JobSupportLink(SQLModel, table=True):
    """A job counsellor for a patient: proposed by the therapist, then accepted or declined by
    the patient, who may end it at any time. Only while `status` is `accepted` may the
    counsellor see the patient's work side. Rows are kept as history."""

    __tablename__ = "job_support_links"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'accepted', 'declined', 'ended')", name="status"),
        # At most one open (proposed or accepted) link per patient.
        Index(
            "uq_job_support_links_open_patient",
            "patient_id",
            unique=True,
            postgresql_where=text("status IN ('proposed', 'accepted')"),
            sqlite_where=text("status IN ('proposed', 'accepted')"),
        ),
        Index("ix_job_support_links_counsellor_status", "counsellor_id", "status"),
        Index("ix_job_support_links_patient_created", "patient_id", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    counsellor_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    proposed_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    status: str = Field(default="proposed", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When the patient accepted or declined.
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Employment(SQLModel, table=True):
    """A job the patient holds, held or is about to start. A `new_employer` job's start date
    schedules follow-ups 3 and 6 months later (`follow_ups.employment_id`, reason `new_job`)."""

    __tablename__ = "employments"
    __table_args__ = (
        CheckConstraint("kind IN ('same_employer', 'new_employer')", name="kind"),
        CheckConstraint("status IN ('planned', 'active', 'ended')", name="status"),
        CheckConstraint(
            "hours_per_week IS NULL OR (hours_per_week >= 0 AND hours_per_week <= 80)",
            name="hours_per_week",
        ),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        Index("ix_employments_patient_starts", "patient_id", "starts_on"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    employer: str = Field(max_length=200)
    role: str | None = Field(default=None, max_length=200)
    starts_on: date
    ends_on: date | None = None
    hours_per_week: float | None = None
    kind: str = Field(max_length=16)
    status: str = Field(max_length=16)
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    recorded_by_role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JointMeeting(SQLModel, table=True):
    """The monthly meeting of patient, therapist and job counsellor, and the next one booked."""

    __tablename__ = "joint_meetings"
    __table_args__ = (
        CheckConstraint("next_on IS NULL OR next_on > held_on", name="next_after_held"),
        Index("ix_joint_meetings_patient_held", "patient_id", "held_on"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    held_on: date
    # Who was there: any of patient, therapist, counsellor.
    attended: list[str] = Field(sa_column=Column(JSON, nullable=False))
    progress: str | None = Field(default=None, max_length=2000)
    decisions: str | None = Field(default=None, max_length=2000)
    next_on: date | None = None
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    recorded_by_role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EmployerContact(SQLModel, table=True):
    """One contact with the patient's employer, recorded only while the patient's consent
    covered its purpose; `consent_id` is the consent version that did."""

    __tablename__ = "employer_contacts"
    __table_args__ = (
        CheckConstraint(
            "channel IN ('phone', 'meeting', 'email', 'letter', 'message', 'other')",
            name="channel",
        ),
        CheckConstraint(
            "purpose IN ('adjustments', 'return_plan', 'job_search', 'other')", name="purpose"
        ),
        Index("ix_employer_contacts_patient_contacted", "patient_id", "contacted_on"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    contacted_on: date
    person: str = Field(max_length=200)
    person_role: str | None = Field(default=None, max_length=200)
    channel: str = Field(max_length=16)
    purpose: str = Field(max_length=16)
    purpose_text: str | None = Field(default=None, max_length=500)
    shared: str = Field(max_length=2000)
    consent_id: uuid.UUID = Field(foreign_key="consents.id", ondelete="CASCADE")
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    recorded_by_role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


job_support_link_table = table_of(JobSupportLink)
employment_table = table_of(Employment)
joint_meeting_table = table_of(JointMeeting)
employer_contact_table = table_of(EmployerContact)
