"""Request and response models of work goals and their steps."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.core.schemas import EventDate, Id, RequestModel

GoalStatus = Literal["proposed", "active", "reached", "dropped"]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
StepText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Why = Annotated[str, StringConstraints(max_length=1000)]
Strategy = Annotated[str, StringConstraints(max_length=500)]


class StepIn(RequestModel):
    id: Id = Field(description="The app's own id, kept across edits.")
    text: StepText
    due_on: EventDate | None = None
    done: bool = False
    at_work: bool = Field(
        default=False, description="Practice at work: a situation met with a new strategy."
    )
    strategy: Strategy | None = Field(
        default=None, description="The strategy to try, e.g. postpone the worry in a meeting."
    )


Steps = Annotated[list[StepIn], Field(max_length=30)]


def _distinct(steps: list[StepIn] | None) -> None:
    ids = [step.id for step in steps or []]
    if len(set(ids)) != len(ids):
        raise ValueError("step ids must be distinct")


class GoalCreate(RequestModel):
    """A new goal; from the therapist it is always `proposed` until the patient accepts it."""

    id: Id = Field(description="The app's own id: a retry with it never duplicates.")
    title: Title
    why: Why | None = Field(default=None, description="Why it matters.")
    steps: Steps = Field(default_factory=list)
    target_on: EventDate | None = None
    status: Literal["active", "reached", "dropped"] = "active"

    @model_validator(mode="after")
    def _distinct_steps(self) -> Self:
        _distinct(self.steps)
        return self


class GoalUpdate(RequestModel):
    """Change any part; `steps` replaces the whole list. `active` accepts a proposed goal."""

    title: Title | None = None
    why: Why | None = None
    steps: Steps | None = None
    target_on: EventDate | None = None
    status: Literal["active", "reached", "dropped"] | None = None

    @model_validator(mode="after")
    def _distinct_steps(self) -> Self:
        _distinct(self.steps)
        if "title" in self.model_fields_set and self.title is None:
            raise ValueError("a goal keeps a title; leave `title` out to keep it")
        return self


class StepPublic(BaseModel):
    id: uuid.UUID
    text: str
    due_on: date | None
    done: bool
    done_on: date | None = Field(description="The patient's local date it was marked done.")
    at_work: bool
    strategy: str | None


class GoalPublic(BaseModel):
    id: uuid.UUID
    title: str
    why: str | None
    steps: list[StepPublic]
    target_on: date | None
    status: GoalStatus
    reached_on: date | None
    created_by_role: str
    created_at: datetime
    updated_at: datetime


class TodayGoalStep(BaseModel):
    """A step of an active goal due today and not done yet."""

    goal_id: uuid.UUID
    goal_title: str
    step_id: uuid.UUID
    text: str
    at_work: bool
    strategy: str | None
