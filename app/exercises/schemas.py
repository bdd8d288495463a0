"""Request and response models for the catalogue, assignments and adherence."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, Strict, StringConstraints, model_validator

from app.core.schemas import EventDate, RequestModel
from app.exercises.kinds import (
    INSTRUCTIONS_MAX,
    MAX_TIMES_PER_DAY,
    MAX_TIMES_PER_WEEK,
    POSTPONEMENT_KINDS,
    ExerciseKind,
)

TimesPerDay = Annotated[int, Field(ge=1, le=MAX_TIMES_PER_DAY)]
TimesPerWeek = Annotated[int, Field(ge=1, le=MAX_TIMES_PER_WEEK)]
Instructions = Annotated[str, StringConstraints(strip_whitespace=True, max_length=INSTRUCTIONS_MAX)]
WorryTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", min_length=5, max_length=5),
    Field(
        description="Local wall-clock time `HH:MM` of the daily worry (or rumination) time.",
        examples=["18:00"],
    ),
]


class LogField(BaseModel):
    name: str
    label: str
    type: Literal["integer", "boolean", "text", "phases"]
    minimum: int | None = None
    maximum: int | None = None
    options: list[str] | None = None


class ExercisePublic(BaseModel):
    kind: ExerciseKind
    locale: Literal["nb", "en"]
    title: str
    summary: str
    instructions: list[str]
    default_minutes: int
    log_fields: list[LogField]


class AssignmentCreate(RequestModel):
    exercise_kind: Annotated[ExerciseKind, Strict(False)]
    times_per_day: TimesPerDay | None = None
    times_per_week: TimesPerWeek | None = None
    starts_on: EventDate
    ends_on: EventDate | None = None
    worry_time: WorryTime | None = None
    instructions: Instructions | None = None

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if (self.times_per_day is None) == (self.times_per_week is None):
            raise ValueError("give exactly one of times_per_day and times_per_week")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        postpones = self.exercise_kind in POSTPONEMENT_KINDS
        if postpones and self.worry_time is None:
            raise ValueError("worry and rumination postponement need a worry_time (HH:MM)")
        if not postpones and self.worry_time is not None:
            raise ValueError("worry_time is only for worry and rumination postponement")
        return self


class AssignmentUpdate(RequestModel):
    """PATCH: pause/resume, change the dose, set or clear the end, edit the texts.

    Dose and pause changes take effect from `effective_from` (default: the patient's today)
    and are kept as history, so adherence over past days uses the dose in force then. A change
    dated between two existing rows applies until the later row's date (a change scheduled for
    later keeps its date); a second change on the same date replaces the first.
    """

    paused: bool | None = None
    times_per_day: TimesPerDay | None = None
    times_per_week: TimesPerWeek | None = None
    effective_from: EventDate | None = None
    ends_on: EventDate | None = None
    worry_time: WorryTime | None = None
    instructions: Instructions | None = None

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if self.times_per_day is not None and self.times_per_week is not None:
            raise ValueError("give at most one of times_per_day and times_per_week")
        if not self.model_fields_set:
            raise ValueError("nothing to change")
        return self


class DosePublic(BaseModel):
    effective_from: date
    times_per_day: int | None
    times_per_week: int | None
    paused: bool


AssignmentStatus = Literal["scheduled", "active", "paused", "ended"]


class AssignmentPublic(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    exercise_kind: ExerciseKind
    status: AssignmentStatus
    times_per_day: int | None = Field(description="The dose in force today (or at the start).")
    times_per_week: int | None
    starts_on: date
    ends_on: date | None
    worry_time: str | None
    instructions: str | None
    created_at: datetime
    updated_at: datetime
    dose_history: list[DosePublic]


class TodayAssignment(BaseModel):
    """An active assignment with the patient's progress in the current day or ISO week."""

    id: uuid.UUID
    exercise_kind: ExerciseKind
    period: Literal["day", "week"]
    prescribed: int
    done: int
    worry_time: str | None
    instructions: str | None
    starts_on: date
    ends_on: date | None


class ProgressPublic(BaseModel):
    """Today's progress, exactly as the patient's today shows it."""

    period: Literal["day", "week"]
    prescribed: int = Field(description="today's dose, or this ISO week's share of the dose")
    done: int


class WeekAdherence(BaseModel):
    week: str = Field(description="ISO week, e.g. 2026-W14.")
    starts_on: date
    closed: bool = Field(
        description="the week is over (within the window); an open week only counts what "
        "is done, never what is still to do"
    )
    prescribed: int
    completed: int
    rate: float | None


class AssignmentAdherence(BaseModel):
    assignment_id: uuid.UUID
    exercise_kind: ExerciseKind
    prescribed: int
    completed: int
    rate: float | None
    by_week: list[WeekAdherence]
    last_done_at: datetime | None
    today: ProgressPublic | None = Field(
        description="when the window holds today: today's progress as the patient sees it"
    )


class AdherencePublic(BaseModel):
    patient_id: uuid.UUID
    window_start: date
    window_end: date
    prescribed: int
    completed: int
    rate: float | None
    assignments: list[AssignmentAdherence]


def format_worry_time(value: time | None) -> str | None:
    """`HH:MM` for the API."""
    return value.strftime("%H:%M") if value is not None else None
