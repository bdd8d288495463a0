"""The questionnaire definition format (also the `load-questionnaire` file) and pure scoring."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

LOCALES: tuple[str, ...] = ("nb", "en")
RTW_SE_KEY = "rtw-se"
LOW_CUTOFF = 3.7  # below: low; from here: partial return to work is likely
HIGH_CUTOFF = 4.6  # from here: full return to work is likely

Band = Literal["low", "moderate", "high"]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,32}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Strict):
    """The same text in every supported locale."""

    nb: Text
    en: Text


class Item(_Strict):
    id: ItemId
    text: LocalizedText
    reverse: bool = False


class ScaleLabels(_Strict):
    """Label of each scale value ("1" … "6") per locale."""

    nb: dict[str, Text]
    en: dict[str, Text]


class Scale(_Strict):
    """The answer scale; RTW-SE bands assume 1 (totally disagree) … 6 (totally agree)."""

    min: Literal[1] = 1
    max: Literal[6] = 6
    labels: ScaleLabels

    @model_validator(mode="after")
    def _labels_cover_the_scale(self) -> Scale:
        wanted = {str(value) for value in range(self.min, self.max + 1)}
        for locale, labels in (("nb", self.labels.nb), ("en", self.labels.en)):
            if set(labels) != wanted:
                raise ValueError(f"scale labels for {locale!r} must name exactly {sorted(wanted)}")
        return self


class Metadata(_Strict):
    illustrative: bool
    source: Annotated[str, StringConstraints(max_length=500)] | None = None
    licence: Annotated[str, StringConstraints(max_length=500)] | None = None


class QuestionnaireDefinition(_Strict):
    """A versioned questionnaire; the version is given by the database when it is loaded."""

    key: Literal["rtw-se"] = "rtw-se"
    title: LocalizedText
    scale: Scale
    items: Annotated[list[Item], Field(min_length=1, max_length=50)]
    metadata: Metadata

    @model_validator(mode="after")
    def _unique_item_ids(self) -> QuestionnaireDefinition:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids must be unique")
        return self


class AnswersMismatch(ValueError):
    """The answers do not name exactly the items, or a value is off the scale."""


def score_answers(definition: QuestionnaireDefinition, answers: Mapping[str, int]) -> float:
    """The mean over all items, reverse-scored items flipped (min + max - value)."""
    ids = {item.id for item in definition.items}
    if set(answers) != ids:
        missing, extra = sorted(ids - set(answers)), sorted(set(answers) - ids)
        raise AnswersMismatch(
            f"answers must cover every item once (missing {missing}, extra {extra})"
        )
    low, high = definition.scale.min, definition.scale.max
    total = 0
    for item in definition.items:
        value = answers[item.id]
        if not low <= value <= high:
            raise AnswersMismatch(f"answer to {item.id!r} must be {low}..{high}")
        total += (low + high - value) if item.reverse else value
    return round(total / len(definition.items), 6)


def band_of(score: float) -> Band:
    """`low` < 3.7 ≤ `moderate` < 4.6 ≤ `high` (rounded so float noise never moves a band)."""
    value = round(score, 6)
    if value < LOW_CUTOFF:
        return "low"
    return "moderate" if value < HIGH_CUTOFF else "high"
