"""Request and response models of the barriers check."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.core.schemas import RequestModel
from app.instruments.definition import ItemId

BarrierAnswer = Annotated[int, Field(strict=True, ge=0, le=4)]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class BarrierCheckWrite(RequestModel):
    """Every item rated 0 (not in the way) .. 4 (very much in the way); a note per domain."""

    answers: Annotated[dict[ItemId, BarrierAnswer], Field(max_length=50)]
    notes: Annotated[dict[ItemId, NoteText], Field(max_length=20)] = Field(
        default_factory=dict, description="Optional note per domain id."
    )


class BarrierDomainPublic(BaseModel):
    id: str
    title: str
    score: float = Field(description="Mean of the domain's items, 0-4.")
    items_rated_high: list[str] = Field(description="The domain's items rated 3 or 4.")
    note: str | None


class BarrierCheckPublic(BaseModel):
    id: uuid.UUID
    local_date: date
    questionnaire_id: uuid.UUID
    questionnaire_version: int
    illustrative: bool = Field(description="True while the item wording is our illustration.")
    answers: dict[str, int]
    notes: dict[str, str]
    score: float | None = Field(
        description="Mean of every item, 0-4; null for a job counsellor, who sees the "
        "workplace domain only."
    )
    domains: list[BarrierDomainPublic]
    highlighted: list[str] = Field(description="Every item rated 3 or 4.")
    workplace_rating: int = Field(description="The higher rating of conflict and harassment.")
    workplace_conflict: bool = Field(description="Conflict or harassment rated 3 or more.")
    created_at: datetime
    updated_at: datetime
