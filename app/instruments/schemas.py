"""The public form of an instrument version, in the caller's locale."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field


class InstrumentItemPublic(BaseModel):
    id: str
    text: str
    reverse: bool
    domain: str | None


class InstrumentScaleLabel(BaseModel):
    value: int
    text: str


class InstrumentScalePublic(BaseModel):
    min: int
    max: int
    labels: list[InstrumentScaleLabel]


class InstrumentScoringPublic(BaseModel):
    method: Literal["sum", "mean"]
    per_domain: Literal["sum", "mean"] | None
    min: float = Field(description="The lowest possible score.")
    max: float = Field(description="The highest possible score.")


class InstrumentBandPublic(BaseModel):
    """A score belongs to the last band whose `min` it reaches."""

    id: str
    min: float
    label: str


class InstrumentAlertPublic(BaseModel):
    """Any of `items` answered at least `at_least` opens an alert for the therapist."""

    id: str
    items: list[str]
    at_least: int


class InstrumentDomainPublic(BaseModel):
    id: str
    title: str


class InstrumentPublic(BaseModel):
    """The current version of an instrument; `illustrative` while its wording is our own."""

    id: uuid.UUID
    key: str
    version: int
    locale: str
    title: str
    instructions: str | None
    items: list[InstrumentItemPublic]
    scale: InstrumentScalePublic
    scoring: InstrumentScoringPublic
    bands: list[InstrumentBandPublic]
    domains: list[InstrumentDomainPublic]
    alerts: list[InstrumentAlertPublic]
    illustrative: bool
    source: str | None
    licence: str | None
