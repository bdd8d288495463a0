"""Request and response models of job support: links, counsellors, employment, joint meetings,
employer contacts and the counsellor's worklist."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.boosters.schemas import FollowUpPublic
from app.core.schemas import EventDate, Id, RequestModel
from app.privacy.schemas import ContactPurpose

LinkStatus = Literal["proposed", "accepted", "declined", "ended"]


class JobSupportProposal(RequestModel):
    """The therapist proposes this job counsellor to the patient."""

    counsellor_id: Id


class JobSupportLinkPublic(BaseModel):
    """One job-support link: the counsellor sees the patient's work side only while `accepted`."""

    id: uuid.UUID
    patient_id: uuid.UUID
    counsellor_id: uuid.UUID
    counsellor_name: str
    proposed_by: uuid.UUID | None
    status: LinkStatus
    created_at: datetime
    responded_at: datetime | None
    ended_at: datetime | None


class CounsellorPublic(BaseModel):
    """A job counsellor a therapist may propose."""

    id: uuid.UUID
    display_name: str


# Employment -------------------------------------------------------------------------------

EmploymentKind = Literal["same_employer", "new_employer"]
EmploymentStatus = Literal["planned", "active", "ended"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=2000)]


class EmploymentCreate(RequestModel):
    """A job: employer (free text, no organisation number needed), role, dates, hours, kind.
    `status` defaults from the dates (planned before `starts_on`, ended after `ends_on`)."""

    employer: Name
    role: Name | None = None
    starts_on: EventDate
    ends_on: EventDate | None = None
    hours_per_week: Annotated[float, Field(ge=0, le=80)] | None = None
    kind: EmploymentKind
    status: EmploymentStatus | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> EmploymentCreate:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class EmploymentUpdate(RequestModel):
    """Change a job: end it, correct a date, the hours or the kind; omitted fields stay. A new
    employer's follow-ups move with its first day (or are cancelled when it is no longer one);
    answered ones stay."""

    employer: Name | None = None
    role: Name | None = None
    starts_on: EventDate | None = None
    ends_on: EventDate | None = None
    hours_per_week: Annotated[float, Field(ge=0, le=80)] | None = None
    kind: EmploymentKind | None = None
    status: EmploymentStatus | None = None


class EmploymentPublic(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    employer: str
    role: str | None
    starts_on: date
    ends_on: date | None
    hours_per_week: float | None
    kind: EmploymentKind
    status: EmploymentStatus
    recorded_by: uuid.UUID | None
    recorded_by_role: str
    created_at: datetime
    follow_ups: list[FollowUpPublic] = Field(
        description="A new employer's follow-ups, 3 and 6 months after its first day "
        "(reason `new_job`); empty for the same employer."
    )


# Joint meetings ---------------------------------------------------------------------------

Attendee = Literal["patient", "therapist", "counsellor"]


class JointMeetingCreate(RequestModel):
    """The monthly meeting of patient, therapist and counsellor; `next_on` defaults to one
    month after `held_on`."""

    held_on: EventDate
    attended: Annotated[list[Attendee], Field(min_length=1, max_length=3)]
    progress: LongText | None = Field(default=None, description="Progress against work goals.")
    decisions: LongText | None = None
    next_on: EventDate | None = None

    @model_validator(mode="after")
    def _check(self) -> JointMeetingCreate:
        if len(set(self.attended)) != len(self.attended):
            raise ValueError("attended names someone twice")
        if self.next_on is not None and self.next_on <= self.held_on:
            raise ValueError("next_on must come after held_on")
        return self


class JointMeetingPublic(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    held_on: date
    attended: list[Attendee]
    progress: str | None
    decisions: str | None
    next_on: date | None
    recorded_by: uuid.UUID | None
    recorded_by_role: str
    created_at: datetime


# Employer contacts ------------------------------------------------------------------------

Channel = Literal["phone", "meeting", "email", "letter", "message", "other"]


class EmployerContactCreate(RequestModel):
    """Who at the employer was contacted, how, why and what was shared. Refused (409
    `consent_required`) unless the patient's consent covers `purpose` at this moment."""

    contacted_on: EventDate
    person: Name
    role: Name | None = None
    channel: Channel
    purpose: ContactPurpose
    purpose_text: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="Required when purpose is `other`."
    )
    shared: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="What was shared about the patient."
    )

    @model_validator(mode="after")
    def _other_needs_text(self) -> EmployerContactCreate:
        if self.purpose == "other" and not (self.purpose_text or "").strip():
            raise ValueError("purpose_text is required when purpose is other")
        return self


class EmployerContactPublic(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    contacted_on: date
    person: str
    role: str | None
    channel: Channel
    purpose: ContactPurpose
    purpose_text: str | None
    shared: str
    consent_id: uuid.UUID = Field(description="The version of the consent that covered it.")
    recorded_by: uuid.UUID | None
    recorded_by_role: str
    created_at: datetime


# The counsellor's worklist ----------------------------------------------------------------

WorklistFlag = Literal["no_diary_7d", "grade_below_plan", "joint_meeting_due"]


class WorkWeekBrief(BaseModel):
    """The last complete ISO week: actual work grade against the planned grade."""

    week: str = Field(max_length=10)
    week_start: date
    actual_grade: int | None
    planned_grade: int | None
    complete: bool


class EmploymentBrief(BaseModel):
    employer: str
    kind: EmploymentKind
    status: EmploymentStatus
    starts_on: date


class CounsellorWorklistRow(BaseModel):
    """One patient who accepted the counsellor: the work side at a glance."""

    patient_id: uuid.UUID
    display_name: str
    local_date: date
    linked_since: datetime | None
    employment: EmploymentBrief | None = Field(
        description="The latest job that has not ended (null: none recorded)."
    )
    work_week: WorkWeekBrief | None
    last_diary_on: date | None
    last_joint_meeting_on: date | None
    next_joint_meeting_on: date | None
    next_dialogue_meeting_on: date | None = Field(
        description="The next planned dialogue meeting (the patient's local date), today or later."
    )
    flags: list[WorklistFlag] = Field(
        description="`no_diary_7d`: no work-diary entry in the last 7 local days; "
        "`grade_below_plan`: last week's actual grade below the planned grade; "
        "`joint_meeting_due`: no joint meeting booked within 31 days of the last one "
        "(or, with none yet, 31 days after the patient accepted)."
    )
