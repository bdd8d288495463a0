"""Request and response models for the RTW plan, the work-hour diary and the week summary."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from app.core.schemas import EventDate, JsonNumber, RequestModel
from app.work.grades import DayType

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_WORK_DAYS: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
DEFAULT_AGREED_HOURS = Decimal("37.5")
LongText = Annotated[str, Field(max_length=1000)]
# Plan dates stay in a sane window (date arithmetic near year 9999 would overflow).
PlanDate = EventDate


def _to_hundredths(hours: Decimal) -> Decimal:
    return hours.quantize(Decimal("0.01"), ROUND_HALF_UP)


Hundredths = AfterValidator(_to_hundredths)


def _distinct_days(days: list[Weekday]) -> list[Weekday]:
    if len(set(days)) != len(days):
        raise ValueError("work days must not repeat")
    return sorted(days, key=WEEKDAYS.index)


class StageIn(RequestModel):
    starts_on: PlanDate
    sick_leave_percent: int = Field(
        ge=0, le=100, description="0 (back at work) or 20-100; graded leave below 20 % is refused"
    )
    planned_weekly_hours: (
        Annotated[Decimal, Field(strict=False, ge=0, le=60), JsonNumber(), Hundredths] | None
    ) = Field(
        default=None,
        description="default: agreed_weekly_hours x (100 - sick_leave_percent) / 100 "
        "(rounded to hundredths)",
    )
    adjustments: LongText | None = Field(
        default=None, description="what was agreed with the workplace for this stage"
    )
    review_on: PlanDate | None = Field(
        default=None, description="when this stage is reviewed; default: its start + 14 days"
    )
    reviewed_on: PlanDate | None = Field(
        default=None, description="when the review took place (it is then no longer due)"
    )


class PlanIn(RequestModel):
    """PUT body; `version` is the version the edit was based on (0: no plan yet), if checked."""

    agreed_weekly_hours: Annotated[
        Decimal, Field(strict=False, ge=1, le=60), JsonNumber(), Hundredths
    ] = Field(default=DEFAULT_AGREED_HOURS, description="rounded to hundredths")
    work_days: Annotated[
        list[Weekday],
        Field(min_length=1, max_length=7, json_schema_extra={"uniqueItems": True}),
        AfterValidator(_distinct_days),
    ] = Field(default_factory=lambda: list(DEFAULT_WORK_DAYS))
    stages: list[StageIn] = Field(min_length=1, max_length=60)
    next_review_on: PlanDate | None = Field(
        default=None,
        description="shorthand for the `review_on` of the stage in force on that date",
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
    review_on: date
    reviewed_on: date | None


class PlanPublic(BaseModel):
    """The current plan; `version` 0 with no stages means no plan has been saved yet."""

    patient_id: uuid.UUID
    version: int
    agreed_weekly_hours: float
    work_days: list[Weekday]
    stages: list[StagePublic]
    next_review_on: date | None = Field(
        description="the earliest review not yet held of a stage that has not ended "
        "(in the past while it is overdue)"
    )
    review_due: bool = Field(description="next_review_on is today or earlier")
    full_return_on: date | None = Field(
        description="start of the 0 % stage that ends the sick leave (may lie in the future)"
    )
    updated_at: datetime | None
    updated_by: uuid.UUID | None
    updated_by_role: Literal["patient", "therapist"] | None


class DiaryIn(RequestModel):
    day_type: DayType = Field(
        default="work",
        description="vacation and leave days are not working days in the work grade "
        "(worked_hours must then be 0)",
    )
    worked_hours: Annotated[
        Decimal, Field(strict=False, ge=0, le=24, multiple_of=Decimal("0.25")), JsonNumber()
    ] = Field(description="in quarter hours")
    planned_hours: Annotated[Decimal, Field(strict=False, ge=0, le=24), JsonNumber()] | None = (
        Field(
            default=None,
            description="default: from the plan (0 on vacation and leave days); to the minute",
        )
    )
    tasks: LongText | None = None
    strain: int | None = Field(default=None, ge=0, le=10)
    note: LongText | None = None


class DiaryPublic(BaseModel):
    local_date: date
    day_type: DayType
    worked_hours: float
    planned_hours: float | None
    planned_from_plan: bool
    tasks: str | None
    strain: int | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class StagePartPublic(BaseModel):
    sick_leave_percent: int
    starts_on: date
    ends_on: date
    working_days: int


class GradeFigures(BaseModel):
    """The welfare office's work-grade figures of one period (see the endpoint description)."""

    partial: bool = Field(description="the period is not over: only days up to today count")
    sick_leave_percent: int | None = Field(
        description="the sick-leave percent in force; null when the period mixes stages "
        "(see `sick_leave`) or has no sick-leave day"
    )
    hours_worked: float = Field(description="every counted day's hours, weekends included")
    weekdays_in_period: int = Field(description="Monday-Friday sick-leave dates counted")
    weekdays_recorded: int = Field(
        description="of those, how many are accounted for: with a diary entry, or off the "
        "plan's work days (0 h by agreement)"
    )
    days_off: int = Field(description="of those, vacation and leave days")
    working_days: int = Field(description="weekdays_in_period - days_off: the divisor")
    complete: bool = Field(description="every weekday of the period has a diary entry")
    missing_days: list[date] = Field(description="weekdays without an entry (counted as 0 h)")
    planned_hours: float
    actual_grade: int | None = Field(
        description="round(hours_worked / (agreed_weekly_hours / 5 x working_days) x 100), "
        "whole percent, not capped; null without working days"
    )
    planned_grade: int | None = Field(
        description="mean of (100 - sick-leave percent) over the working days"
    )
    above_plan: bool = Field(description="actual_grade > planned_grade")
    sick_leave: list[StagePartPublic]


class WeekPublic(GradeFigures):
    week: str = Field(description="ISO week, e.g. 2026-W47")
    week_start: date
    week_end: date


class PeriodPublic(GradeFigures):
    """One sick-leave period: a plan stage above 0 % that has begun."""

    starts_on: date
    ends_on: date | None = Field(description="the stage's last day; null while open-ended")


class WorkSummary(BaseModel):
    patient_id: uuid.UUID
    agreed_weekly_hours: float | None
    by: Literal["week", "period"]
    weeks: list[WeekPublic] = Field(description="by=week: ISO weeks, oldest first")
    periods: list[PeriodPublic] = Field(description="by=period: sick-leave periods, oldest first")
