"""The barriers check's summary, as pure functions over a definition and the answers.

Work-focused therapy maps what stands in the way of returning (DESIGN.md, "Work-focused
therapy": own coping belief, illness understanding, symptoms, the workplace, and beliefs such
as "rest first"). Each item is rated 0 (not in the way) .. 4 (very much in the way); a domain's
score is the mean of its items; items rated 3-4 are the ones to talk about. The workplace rule
(conflict or harassment rated 3 or more) raises `workplace_conflict` on the worklist, because it
asks "is it the workplace or the person?" before any plan is changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.instruments.definition import InstrumentDefinition
from app.instruments.profiles import WORKPLACE_AT_LEAST, WORKPLACE_ITEMS
from app.instruments.scoring import score


@dataclass(frozen=True, slots=True)
class BarrierSummary:
    score: float  # mean of every item, 0..4
    domains: dict[str, float]  # domain id -> mean of its items, 0..4
    highlighted: tuple[str, ...]  # items rated 3-4, in the definition's order
    workplace_rating: int  # the highest answer to conflict / harassment


def workplace_rating(answers: Mapping[str, int]) -> int:
    """The highest rating of conflict or harassment (0 when neither is answered)."""
    return max((answers.get(item, 0) for item in WORKPLACE_ITEMS), default=0)


def workplace_conflict(rating: int | None) -> bool:
    """Conflict or harassment rated at least 3 ("quite a lot in the way")."""
    return rating is not None and rating >= WORKPLACE_AT_LEAST


def summarise(definition: InstrumentDefinition, answers: Mapping[str, int]) -> BarrierSummary:
    """Score per domain, the overall mean, the items rated high and the workplace rating."""
    scored = score(definition, answers)  # raises AnswersMismatch for a wrong set or value
    return BarrierSummary(
        score=scored.score,
        domains=scored.domains,
        highlighted=scored.highlighted,
        workplace_rating=workplace_rating(answers),
    )
