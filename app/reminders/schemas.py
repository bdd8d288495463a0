"""GET/PUT /v1/me/reminders: local wall-clock times in the patient's current time zone."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.core.schemas import RequestModel

LocalTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", min_length=5, max_length=5),
    Field(description="Local wall-clock time `HH:MM` in the patient's zone.", examples=["19:00"]),
]


class QuietHours(RequestModel):
    """No reminder is sent from `from` up to (not including) `to`; may wrap midnight
    (`22:00` to `07:00`). A reminder that falls in them is skipped that day, not postponed."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    from_: LocalTime = Field(alias="from")
    to: LocalTime

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.from_ == self.to:
            raise ValueError("quiet hours must not start and end at the same time")
        return self


class ReminderUpdate(RequestModel):
    """The whole set of preferences (PUT replaces it: a field left out turns that reminder off)."""

    checkin_at: LocalTime | None = Field(
        default=None, description="Daily check-in reminder, unless today's check-in is done."
    )
    worry_time_minutes_before: Annotated[int, Field(ge=0, le=240)] | None = Field(
        default=None, description="Minutes before each assignment's worry time (0 to 240)."
    )
    homework_at: LocalTime | None = Field(
        default=None, description="Daily reminder while today's prescribed exercises are not done."
    )
    measures: LocalTime | None = Field(
        default=None, description="Daily reminder while a scheduled questionnaire is due."
    )
    quiet_hours: QuietHours | None = None
    therapist_messages: bool = Field(
        description="A push when the therapist adds an assignment or schedules a booster."
    )


class ReminderPublic(BaseModel):
    checkin_at: str | None
    worry_time_minutes_before: int | None
    homework_at: str | None
    measures: str | None
    quiet_hours: QuietHours | None
    therapist_messages: bool
    timezone: str = Field(description="The zone the times are read in (the account's, today).")
    updated_at: datetime | None = Field(description="Null until the patient saves preferences.")


def parse_local(value: str | None) -> time | None:
    return time.fromisoformat(value) if value is not None else None


def format_local(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None
