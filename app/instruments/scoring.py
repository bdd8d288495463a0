"""Scoring any instrument from its definition: pure functions, no item text involved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.instruments.definition import InstrumentDefinition


class AnswersMismatch(ValueError):
    """The answers do not name exactly the items, or a value is off the scale."""


@dataclass(frozen=True, slots=True)
class FiredAlert:
    """An alert rule that fired: which rule, on which item, with which answer."""

    rule: str
    item: str
    answer: int


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    band: str | None
    domains: dict[str, float]
    highlighted: tuple[str, ...]
    alerts: tuple[FiredAlert, ...]


def _combine(values: list[int], method: str) -> float:
    if method == "sum":
        return float(sum(values))
    return round(sum(values) / len(values), 6)


def band_for(definition: InstrumentDefinition, score: float) -> str | None:
    """The last band whose minimum the score reaches (rounded, so float noise moves nothing)."""
    value = round(score, 6)
    found = None
    for band in definition.bands:
        if value >= band.min:
            found = band.id
    return found


def check_answers(definition: InstrumentDefinition, answers: Mapping[str, int]) -> None:
    """Every item answered exactly once, each on the scale."""
    ids = {item.id for item in definition.items}
    if set(answers) != ids:
        missing, extra = sorted(ids - set(answers)), sorted(set(answers) - ids)
        raise AnswersMismatch(
            f"answers must cover every item once (missing {missing}, extra {extra})"
        )
    low, high = definition.scale.min, definition.scale.max
    for item in definition.items:
        if not low <= answers[item.id] <= high:
            raise AnswersMismatch(f"answer to {item.id!r} must be {low}..{high}")


def score(definition: InstrumentDefinition, answers: Mapping[str, int]) -> Scored:
    """Total (sum or mean, reverse items flipped), band, domain scores, highlights and alerts."""
    check_answers(definition, answers)
    low, high = definition.scale.min, definition.scale.max
    scored = {
        item.id: (low + high - answers[item.id]) if item.reverse else answers[item.id]
        for item in definition.items
    }
    total = _combine(list(scored.values()), definition.scoring.method)
    domains: dict[str, float] = {}
    if definition.scoring.per_domain:
        for domain in definition.domains:
            values = [scored[i.id] for i in definition.items if i.domain == domain.id]
            if values:
                domains[domain.id] = _combine(values, definition.scoring.per_domain)
    threshold = definition.highlight_at_least
    highlighted = tuple(
        item.id
        for item in definition.items
        if threshold is not None and answers[item.id] >= threshold
    )
    fired = []
    for rule in definition.alerts:
        hits = [(answers[i], i) for i in rule.items if answers[i] >= rule.at_least]
        if hits:
            answer, item = max(hits)  # the strongest answer among the rule's items
            fired.append(FiredAlert(rule=rule.id, item=item, answer=answer))
    return Scored(
        score=total,
        band=band_for(definition, total),
        domains=domains,
        highlighted=highlighted,
        alerts=tuple(fired),
    )
