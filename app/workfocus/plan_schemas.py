"""Request and response models of the communication plan and the therapist's suggestions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.core.schemas import Id, RequestModel

Audience = Literal["manager", "colleagues", "welfare_office", "gp", "other"]
HowMuch = Literal["nothing", "on_sick_leave", "kind_of_problem", "diagnosis"]
EntryStatus = Literal["draft", "ready", "done"]
SuggestionStatus = Literal["open", "accepted", "dismissed"]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
What = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Words = Annotated[str, StringConstraints(max_length=2000)]
When = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class CommunicationEntryIn(RequestModel):
    """What to tell one audience, how much, in which words and when."""

    id: Id | None = Field(default=None, description="Kept when given; new entries: omit.")
    audience: Audience
    label: Label | None = Field(default=None, description="Who, in the patient's words.")
    what: What = Field(description="What to say.")
    how_much: HowMuch = Field(description="How much to disclose.")
    words: Words | None = Field(default=None, description="In which words.")
    when: When | None = Field(default=None, description="When, e.g. 'at the dialogue meeting'.")
    status: EntryStatus = "draft"
    from_suggestion_id: Id | None = None

    @model_validator(mode="after")
    def _other_is_named(self) -> Self:
        if self.audience == "other" and not self.label:
            raise ValueError("an entry for audience 'other' needs a label")
        return self


class CommunicationPlanWrite(RequestModel):
    """The whole plan; `version` is the version the edit was based on (0: none yet)."""

    version: int | None = Field(
        default=None, ge=0, description="When given and not the current version: 409."
    )
    share_with_job_counsellor: bool = False
    entries: Annotated[list[CommunicationEntryIn], Field(max_length=30)]

    @model_validator(mode="after")
    def _distinct_ids(self) -> Self:
        ids = [entry.id for entry in self.entries if entry.id is not None]
        if len(set(ids)) != len(ids):
            raise ValueError("entry ids must be distinct")
        return self


class CommunicationEntryPublic(BaseModel):
    id: uuid.UUID
    audience: Audience
    label: str | None
    what: str
    how_much: HowMuch
    words: str | None
    when: str | None
    status: EntryStatus
    from_suggestion_id: uuid.UUID | None


class SuggestionWrite(RequestModel):
    """A therapist's suggestion: the patient decides whether it enters their plan."""

    audience: Audience
    label: Label | None = None
    text: What
    how_much: HowMuch | None = None


class SuggestionPublic(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    audience: Audience
    label: str | None
    text: str
    how_much: HowMuch | None
    status: SuggestionStatus
    entry_id: uuid.UUID | None = Field(description="The plan entry it became, once accepted.")
    created_at: datetime
    decided_at: datetime | None


class CommunicationPlanPublic(BaseModel):
    """The plan (version 0 and no entries until the first save) and its suggestions.

    Disclosure is the patient's decision: the service never sends anything to an employer."""

    version: int
    share_with_job_counsellor: bool
    entries: list[CommunicationEntryPublic]
    updated_at: datetime | None
    suggestions: list[SuggestionPublic] = Field(description="Newest first (at most 50).")
