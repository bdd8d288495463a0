"""Request and response models for the questionnaire, check-ins and their summary."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.boosters.schemas import BoosterRequestPublic
from app.checkins.definition import Band, ItemId
from app.core.schemas import RequestModel, ShortText

AnswerValue = Annotated[int, Field(strict=True)]


class QuestionnaireItemPublic(BaseModel):
    id: str
    text: str
    reverse: bool


class ScaleLabelPublic(BaseModel):
    value: int
    text: str


class ScalePublic(BaseModel):
    min: int
    max: int
    labels: list[ScaleLabelPublic]


class QuestionnairePublic(BaseModel):
    """The current version in the caller's locale."""

    id: uuid.UUID
    key: str
    version: int
    locale: str
    title: str
    items: list[QuestionnaireItemPublic]
    scale: ScalePublic
    illustrative: bool


class CheckinWrite(RequestModel):
    """PUT /v1/me/checkins/{local_date}: every item answered 1..6, the rest optional."""

    answers: Annotated[dict[ItemId, AnswerValue], Field(min_length=1, max_length=50)]
    mood: Annotated[int, Field(ge=0, le=10)] | None = None
    worry_minutes: Annotated[int, Field(ge=0, le=1440)] | None = Field(
        default=None, description="Minutes spent worrying or ruminating today."
    )
    note: ShortText | None = None


ILLUSTRATIVE = (
    "true while the items are the seeded illustrative ones: the score and band are then not "
    "clinical figures and must not be shown as such"
)


class CheckinPublic(BaseModel):
    local_date: date
    questionnaire_id: uuid.UUID
    questionnaire_version: int
    answers: dict[str, int]
    score: float
    band: Band
    illustrative: bool = Field(description=ILLUSTRATIVE)
    mood: int | None
    worry_minutes: int | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class CheckinSaved(CheckinPublic):
    """The stored check-in; `created` is false when it replaced that date's earlier one."""

    created: bool
    booster_request: BoosterRequestPublic | None = Field(
        default=None, description="The request this check-in opened through the booster rule."
    )


class CheckinSummary(BaseModel):
    """Means over windows ending today (the patient's local date), baseline and streak."""

    as_of: date
    mean_7d: float | None
    checkins_7d: int
    mean_28d: float | None
    checkins_28d: int
    baseline: float | None = Field(
        description="Mean of the first 7 check-ins on the questionnaire version of the latest "
        "check-in (a new version starts a new baseline; null before 7)."
    )
    baseline_version: int | None = Field(description="The version the baseline belongs to.")
    change_from_baseline: float | None = Field(description="7-day mean minus baseline.")
    band: Band | None = Field(description="Band of the 7-day mean.")
    streak_days: int = Field(description="Consecutive days with a check-in up to today.")
    last_checkin_on: date | None
    last_score: float | None
    illustrative: bool = Field(description=ILLUSTRATIVE)
