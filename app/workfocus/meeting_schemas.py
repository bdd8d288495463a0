"""Request and response models of dialogue meetings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.core.schemas import EventDate, EventTime, Id, JsonNumber, RequestModel
from app.work.schemas import Hundredths

ParticipantRole = Literal["manager", "welfare_office", "gp", "job_counsellor", "therapist", "other"]
MeetingStatus = Literal["planned", "held", "cancelled"]
LongText = Annotated[str, StringConstraints(max_length=2000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Participant(RequestModel):
    role: ParticipantRole
    name: Name | None = Field(default=None, description="Optional; the patient's own label.")


class Agenda(RequestModel):
    """What the meeting is to cover: entries of the communication plan, the adjustment needs,
    and a time limit."""

    communication_entry_ids: Annotated[list[Id], Field(max_length=30)] = Field(default_factory=list)
    adjustment_needs: LongText | None = None
    time_limit_minutes: int | None = Field(default=None, ge=5, le=480)
    notes: LongText | None = None


class ProposedStage(RequestModel):
    """A new stage of the RTW plan agreed at the meeting; proposed, never saved silently."""

    starts_on: EventDate
    sick_leave_percent: int = Field(ge=0, le=100, description="0 (back at work) or 20-100")
    planned_weekly_hours: (
        Annotated[Decimal, Field(strict=False, ge=0, le=60), JsonNumber(), Hundredths] | None
    ) = Field(default=None, description="rounded to hundredths")
    adjustments: Annotated[str, StringConstraints(max_length=1000)] | None = None


class ProposedStagePublic(BaseModel):
    starts_on: date
    sick_leave_percent: int
    planned_weekly_hours: float | None
    adjustments: str | None


class Outcome(RequestModel):
    adjustments: LongText | None = Field(default=None, description="Agreed adjustments.")
    tasks: LongText | None = Field(default=None, description="Agreed tasks.")
    next_status_check_on: EventDate | None = Field(
        default=None, description="When to check whether to keep or raise the work percentage."
    )
    proposed_stage: ProposedStage | None = None


class OutcomePublic(BaseModel):
    adjustments: str | None
    tasks: str | None
    next_status_check_on: date | None
    proposed_stage: ProposedStagePublic | None


class DialogueMeetingCreate(RequestModel):
    id: Id = Field(description="The app's own id: a retry with it never duplicates.")
    starts_at: EventTime
    participants: Annotated[list[Participant], Field(min_length=1, max_length=12)]
    agenda: Agenda = Field(default_factory=Agenda)


class DialogueMeetingUpdate(RequestModel):
    """Change the plan of the meeting, or record its outcome (which marks it held)."""

    starts_at: EventTime | None = None
    participants: Annotated[list[Participant], Field(min_length=1, max_length=12)] | None = None
    agenda: Agenda | None = None
    status: Literal["planned", "cancelled"] | None = None
    outcome: Outcome | None = None


class PlanProposal(BaseModel):
    """The RTW plan with the meeting's stage in it, ready to PUT to the plan; `applied` once the
    saved plan has that stage."""

    applied: bool
    plan: dict[str, Any] = Field(description="A body for PUT /v1/me/rtw-plan (with `version`).")


class DialogueMeetingPublic(BaseModel):
    id: uuid.UUID
    starts_at: datetime
    local_date: date
    participants: list[Participant]
    agenda: Agenda
    status: MeetingStatus
    outcome: OutcomePublic | None
    outcome_recorded_at: datetime | None
    next_status_check_on: date | None
    created_by_role: str
    created_at: datetime
    updated_at: datetime
    plan_proposal: PlanProposal | None = None


class TodayMeeting(BaseModel):
    """A dialogue meeting on the patient's local today."""

    id: uuid.UUID
    starts_at: datetime
    status: MeetingStatus
    participants: list[ParticipantRole]
