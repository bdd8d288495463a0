"""The one definition format of every instrument, and the rules a definition must keep.

The RTW-SE check-in, the symptom measures (PHQ-9, GAD-7) and the barriers check share this
format; it is also the file `mestring load-questionnaire` reads. A definition names its items
(optionally grouped in domains), the answer scale with a label per value, how it is scored
(`sum` or `mean`, optionally per domain), its bands (each from a lower bound up to the next),
its alert rules (any listed item answered at least N), and which answers to highlight (items
rated at least N). Scoring reads ids and numbers only, never item text, so a clinic can load
the official wording as a new version without changing a single score.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.instruments.profiles import PROFILES

LOCALES: tuple[str, ...] = ("nb", "en")
Key = Literal["rtw-se", "phq9", "gad7", "barriers"]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,32}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ScaleValue = Annotated[int, Field(ge=0, le=10)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Strict):
    """The same text in every supported locale."""

    nb: Text
    en: Text

    def get(self, locale: str) -> str:
        """The text in `locale` (English for anything but nb)."""
        return self.nb if locale == "nb" else self.en


class Item(_Strict):
    id: ItemId
    text: LocalizedText
    reverse: bool = False
    domain: ItemId | None = None


class ScaleLabels(_Strict):
    """Label of each scale value ("0" … "10") per locale."""

    nb: dict[str, Text]
    en: dict[str, Text]


class Scale(_Strict):
    """Every item is answered with a whole number from `min` to `max`."""

    min: ScaleValue
    max: ScaleValue
    labels: ScaleLabels

    @model_validator(mode="after")
    def _labels_cover_the_scale(self) -> Scale:
        if self.min >= self.max:
            raise ValueError("scale min must be below max")
        wanted = {str(value) for value in range(self.min, self.max + 1)}
        for locale, labels in (("nb", self.labels.nb), ("en", self.labels.en)):
            if set(labels) != wanted:
                raise ValueError(f"scale labels for {locale!r} must name exactly {sorted(wanted)}")
        return self


class Domain(_Strict):
    id: ItemId
    title: LocalizedText


class Scoring(_Strict):
    """`sum` or `mean` of the items (reverse items flipped); `per_domain` scores each domain too."""

    method: Literal["sum", "mean"]
    per_domain: Literal["sum", "mean"] | None = None


class BandRule(_Strict):
    """A score belongs to the last band whose `min` it reaches."""

    id: ItemId
    min: float
    label: LocalizedText


class AlertRule(_Strict):
    """Fires when any of `items` is answered `at_least` this (the raw answer, never flipped)."""

    id: ItemId
    items: Annotated[list[ItemId], Field(min_length=1, max_length=50)]
    at_least: ScaleValue


class Metadata(_Strict):
    illustrative: bool
    source: Annotated[str, StringConstraints(max_length=500)] | None = None
    licence: Annotated[str, StringConstraints(max_length=500)] | None = None


class InstrumentDefinition(_Strict):
    """A versioned instrument; the version number is given by the database when it is loaded."""

    key: Key = Field(
        default="rtw-se", description="Which instrument (files from before PHQ-9: rtw-se)."
    )
    title: LocalizedText
    instructions: LocalizedText | None = None
    scale: Scale
    domains: Annotated[list[Domain], Field(max_length=20)] = []
    items: Annotated[list[Item], Field(min_length=1, max_length=50)]
    scoring: Scoring
    bands: Annotated[list[BandRule], Field(max_length=10)] = []
    alerts: Annotated[list[AlertRule], Field(max_length=10)] = []
    highlight_at_least: ScaleValue | None = None
    metadata: Metadata

    @model_validator(mode="before")
    @classmethod
    def _profile_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            key = data.get("key", cls.model_fields["key"].default)
            profile = PROFILES.get(key) if isinstance(key, str) else None
            if profile is not None:
                data = {**profile.defaults(), **data}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> InstrumentDefinition:
        self._check_profile()  # first: for a known instrument its own message says the most
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids must be unique")
        self._check_domains()
        self._check_bands()
        known = set(ids)
        for rule in self.alerts:
            if not set(rule.items) <= known:
                raise ValueError(f"alert {rule.id!r} names an item that does not exist")
            if not self.scale.min < rule.at_least <= self.scale.max:
                raise ValueError(f"alert {rule.id!r}: at_least must be above the scale minimum")
        if len({rule.id for rule in self.alerts}) != len(self.alerts):
            raise ValueError("alert ids must be unique")
        if self.highlight_at_least is not None and not (
            self.scale.min <= self.highlight_at_least <= self.scale.max
        ):
            raise ValueError("highlight_at_least must lie on the scale")
        return self

    def _check_domains(self) -> None:
        domain_ids = [domain.id for domain in self.domains]
        if len(set(domain_ids)) != len(domain_ids):
            raise ValueError("domain ids must be unique")
        for item in self.items:
            if self.domains and item.domain not in domain_ids:
                raise ValueError(f"item {item.id!r} must name one of the domains {domain_ids}")
            if not self.domains and item.domain is not None:
                raise ValueError(f"item {item.id!r} names a domain but none are defined")
        if self.scoring.per_domain and not self.domains:
            raise ValueError("per-domain scoring needs domains")

    def _check_bands(self) -> None:
        if not self.bands:
            return
        low, high = self.score_range()
        mins = [band.min for band in self.bands]
        if mins[0] != low:
            raise ValueError(f"the first band must start at the lowest score, {low:g}")
        if any(b <= a for a, b in pairwise(mins)) or mins[-1] > high:
            raise ValueError(f"band minimums must rise, within {low:g}..{high:g}")
        if self.scoring.method == "sum" and any(value != int(value) for value in mins):
            raise ValueError("bands of a summed score start at whole numbers")
        if len({band.id for band in self.bands}) != len(self.bands):
            raise ValueError("band ids must be unique")

    def _check_profile(self) -> None:
        profile = PROFILES.get(self.key)
        if profile is None:
            return
        if (self.scale.min, self.scale.max) != profile.scale:
            low, high = profile.scale
            raise ValueError(f"{self.key} is answered on a scale from {low} to {high}")
        if self.scoring.model_dump() != profile.scoring:
            raise ValueError(f"{self.key} is scored as {profile.scoring}; that cannot change")
        if tuple((band.id, band.min) for band in self.bands) != profile.bands:
            raise ValueError(f"{self.key} keeps its bands {list(profile.bands)}")
        alerts = tuple((rule.id, tuple(rule.items), rule.at_least) for rule in self.alerts)
        if alerts != profile.alerts:
            raise ValueError(f"{self.key} keeps its alert rules {list(profile.alerts)}")
        if (
            profile.highlight_at_least is not None
            and self.highlight_at_least != profile.highlight_at_least
        ):
            raise ValueError(
                f"{self.key} highlights answers of {profile.highlight_at_least} or more"
            )
        if profile.items is not None and (
            tuple(item.id for item in self.items) != profile.items
            or any(item.reverse for item in self.items)
        ):
            raise ValueError(f"{self.key} has the items {list(profile.items)}, in this order")

    def score_range(self) -> tuple[float, float]:
        """The lowest and highest possible score."""
        if self.scoring.method == "mean":
            return float(self.scale.min), float(self.scale.max)
        n = len(self.items)
        return float(self.scale.min * n), float(self.scale.max * n)
