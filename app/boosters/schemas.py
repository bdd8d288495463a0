"""Request and response models for booster requests, the rule's parameters and follow-ups."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from app.core.schemas import EventDate, EventTime, RequestModel, ShortText

RequestStatus = Literal["open", "scheduled", "completed", "declined", "cancelled"]
RequestSource = Literal["patient", "checkin_rule", "follow_up"]
LongText = Annotated[str, Field(min_length=1, max_length=1000)]
ContactedBy = Literal["phone", "meeting", "message"]


class BoosterRequestPublic(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    source: RequestSource
    status: RequestStatus
    reason: str | None
    preferred_times: str | None
    scheduled_for: datetime | None
    response: str | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None


class BoosterRequestCreate(RequestModel):
    reason: ShortText | None = None
    preferred_times: ShortText | None = Field(
        default=None, description="Free text, e.g. 'weekday mornings'."
    )


class BoosterRequestUpdate(RequestModel):
    """A therapist's move: scheduled (with scheduled_for), declined (with response),
    completed or cancelled."""

    status: Literal["scheduled", "declined", "completed", "cancelled"]
    scheduled_for: EventTime | None = None
    response: LongText | None = None

    @model_validator(mode="after")
    def _fields_fit_the_status(self) -> BoosterRequestUpdate:
        if (self.status == "scheduled") != (self.scheduled_for is not None):
            raise ValueError("scheduled_for is required for, and only for, status 'scheduled'")
        if self.status == "declined" and self.response is None:
            raise ValueError("a response is required when declining")
        return self


class BoosterRuleParams(RequestModel):
    window_days: Annotated[int, Field(ge=1, le=90)]
    min_checkins: Annotated[int, Field(ge=1, le=90)]
    low_threshold: Annotated[float, Field(ge=1, le=6)]
    drop_threshold: Annotated[float, Field(gt=0, le=5)]
    cooldown_days: Annotated[int, Field(ge=0, le=365)]
    enabled: bool

    @model_validator(mode="after")
    def _min_fits_window(self) -> BoosterRuleParams:
        if self.min_checkins > self.window_days:
            raise ValueError("min_checkins cannot exceed window_days")
        return self


class BoosterRulePublic(BaseModel):
    window_days: int
    min_checkins: int
    low_threshold: float
    drop_threshold: float
    cooldown_days: int
    enabled: bool
    overridden: bool = Field(description="False: the clinic's defaults apply.")
    updated_at: datetime | None


class RtwCompletionWrite(RequestModel):
    rtw_completed_on: EventDate | None


class FollowUpPublic(BaseModel):
    id: uuid.UUID
    months: int
    reason: Literal["full_return", "new_job"] = Field(
        description="full_return: months after the full return to work; new_job: months after "
        "the first day of a new job (`employment_id`)"
    )
    employment_id: uuid.UUID | None
    full_return_on: date = Field(
        description="The day the months count from: the full return, or the new job's first day"
    )
    due_on: date
    status: Literal["pending", "answered", "cancelled"]
    still_working: bool | None
    needs_booster: bool | None
    note: str | None
    answered_at: datetime | None
    answered_by: uuid.UUID | None
    answered_by_role: Literal["patient", "therapist"] | None
    contacted_by: ContactedBy | Literal["app"] | None = Field(
        description="app: the patient answered in the app; otherwise how the therapist asked"
    )
    booster_request_id: uuid.UUID | None


class FollowUpAnswer(RequestModel):
    still_working: bool
    needs_booster: bool
    note: ShortText | None = None


class FollowUpContactAnswer(FollowUpAnswer):
    """A therapist records the answer given by phone, in a meeting or by message."""

    contacted_by: ContactedBy


class FollowUpAnswered(FollowUpPublic):
    booster_request: BoosterRequestPublic | None


class RtwCompletionPublic(BaseModel):
    patient_id: uuid.UUID
    rtw_completed_on: date | None = Field(description="the therapist's record of the return")
    plan_return_on: date | None = Field(
        description="the start of the plan's final 0 % stage (may lie in the future)"
    )
    full_return_on: date | None = Field(
        description="the actual full return the follow-ups count from: the therapist's "
        "record, else the plan's 0 % stage once it has begun; null before either"
    )
    follow_ups: list[FollowUpPublic] = Field(
        description="follow-ups of a return that has begun (cancelled ones left out)"
    )
