"""The RTW-SE check-in on top of the shared instrument format: its key, cut-offs and bands.

The definition format itself (also the `load-questionnaire` file) lives in
`app/instruments/definition.py`; scoring in `app/instruments/scoring.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from app.instruments.definition import InstrumentDefinition, ItemId
from app.instruments.scoring import AnswersMismatch, score

__all__ = [
    "HIGH_CUTOFF",
    "LOW_CUTOFF",
    "RTW_SE_KEY",
    "AnswersMismatch",
    "Band",
    "ItemId",
    "QuestionnaireDefinition",
    "band_of",
    "score_answers",
]

RTW_SE_KEY = "rtw-se"
LOW_CUTOFF = 3.7  # below: low; from here: partial return to work is likely
HIGH_CUTOFF = 4.6  # from here: full return to work is likely

Band = Literal["low", "moderate", "high"]


class QuestionnaireDefinition(InstrumentDefinition):
    """The check-in's questionnaire: one instrument of the shared format, keyed `rtw-se`."""

    key: Literal["rtw-se"] = "rtw-se"


def score_answers(definition: InstrumentDefinition, answers: Mapping[str, int]) -> float:
    """The mean over all items, reverse-scored items flipped (min + max - value)."""
    return score(definition, answers).score


def band_of(score: float) -> Band:
    """`low` < 3.7 ≤ `moderate` < 4.6 ≤ `high` (rounded so float noise never moves a band)."""
    value = round(score, 6)
    if value < LOW_CUTOFF:
        return "low"
    return "moderate" if value < HIGH_CUTOFF else "high"
