"""Request and response models for the RTW plan, the work-hour diary and the week summary."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from app.core.schemas import RequestModel

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WORK_DAYS: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
DEFAULT_AGREED_HOURS = Decimal("37.5")
LongText = Annotated[str, Field(max_length=1000)]
# Plan dates stay in a sane window (date arithmetic near year 9999 would overflow).
PlanDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]


def _distinct_days(days: list[Weekday]) -> list[Weekday]:
    if len(set(days)) != len(days):
        raise ValueError("work days must not repeat")
    return sorted(days, key=WEEKDAYS.index)


class StageIn(RequestModel):
    starts_on: PlanDate
    sick_leave_percent: int = Field(
        ge=0, le=100, description="0 (back at work) or 20-100; graded leave below 20 % is refused"
    )
    planned_weekly_hours: Decimal | None = Field(
        default=None,
        ge=0,
        le=60,
        decimal_places=2,
        description="default: agreed_weekly_hours x (100 - sick_leave_percent) / 100",
    )
    adjustments: LongText | None = Field(
        default=None, description="what was agreed with the workplace for this stage"
    )


class PlanIn(RequestModel):
    """PUT body; `version` is the version the edit was based on (0: no plan yet), if checked."""

    agreed_weekly_hours: Decimal = Field(
        default=DEFAULT_AGREED_HOURS, ge=1, le=60, decimal_places=2
    )
    work_days: Annotated[
        list[Weekday], Field(min_length=1, max_length=7), AfterValidator(_distinct_days)
    ] = Field(default_factory=lambda: list(DEFAULT_WORK_DAYS))
    stages: list[StageIn] = Field(min_length=1, max_length=60)
    next_review_on: PlanDate | None = Field(
        default=None, description="default: two weeks after the newest stage starts"
    )
    version: int | None = Field(
        default=None,
        ge=0,
        description="optimistic concurrency: when given and not the current version -> 409",
    )


class StagePublic(BaseModel):
    starts_on: date
    ends_on: date | None = Field(description="the day before the next stage starts")
    sick_leave_percent: int
    planned_work_grade: int
    planned_weekly_hours: float
    planned_weekly_hours_explicit: bool
    adjustments: str | None


class PlanPublic(BaseModel):
    """The current plan; `version` 0 with no stages means no plan has been saved yet."""

    patient_id: uuid.UUID
    version: int
    agreed_weekly_hours: float
    work_days: list[Weekday]
    stages: list[StagePublic]
    next_review_on: date | None
    full_return_on: date | None = Field(
        description="start of the 0 % stage that ends the sick leave (may lie in the future)"
    )
    updated_at: datetime | None
    updated_by: uuid.UUID | None
    updated_by_role: Literal["patient", "therapist"] | None


class DiaryIn(RequestModel):
    worked_hours: Decimal = Field(ge=0, le=24, multiple_of=0.25)
    planned_hours: Decimal | None = Field(
        default=None, ge=0, le=24, decimal_places=2, description="default: from the plan"
    )
    tasks: LongText | None = None
    strain: int | None = Field(default=None, ge=0, le=10)
    note: LongText | None = None


class DiaryPublic(BaseModel):
    local_date: date
    worked_hours: float
    planned_hours: float | None
    planned_from_plan: bool
    tasks: str | None
    strain: int | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class StagePeriodPublic(BaseModel):
    sick_leave_percent: int
    starts_on: date
    ends_on: date
    working_days: int


class WeekPublic(BaseModel):
    week: str = Field(description="ISO week, e.g. 2026-W47")
    week_start: date
    week_end: date
    partial: bool = Field(description="the current week: only days up to today are counted")
    working_days: int = Field(description="plan work days in the week (inside the plan, to today)")
    reported_days: int
    missing_days: list[date]
    planned_hours: float
    worked_hours: float
    sick_leave: list[StagePeriodPublic]
    planned_work_grade: float | None
    actual_work_grade: float | None


class WorkSummary(BaseModel):
    patient_id: uuid.UUID
    agreed_weekly_hours: float | None
    weeks: list[WeekPublic]
