"""The booster rule's arithmetic, pure: scores by local date in, a decision and a reason out.

DESIGN.md rule 5 and issue 10 §3. Every number is compared at 6 decimals, as exact decimals
(half up), and the reason shows each number exactly as it was compared, trailing zeros
dropped: a baseline of 4.675 and a mean of 3.87 read "0.805 below the baseline 4.675", never
a rounded 4.67 that would not add up.

- window mean: the mean of the scores dated in the `window_days` local days ending today;
- low: at least `min_checkins` scores in the window and mean < `low_threshold`;
- drop: a baseline exists and baseline - mean >= `drop_threshold`. The baseline is the mean of
  the first 7 check-ins answered on the same questionnaire version as today's (a new version
  starts a new baseline); before that version has 7, the drop rule cannot fire and the reason
  of a low mean says "no baseline yet for version N";
- it opens a request when it fires, is enabled, no request is open or scheduled, and none
  was resolved in the cool-down (`today - resolved_on < cooldown_days`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Suppression = Literal["disabled", "too_few_checkins", "request_active", "cooldown"]
PRECISION = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class RuleParams:
    window_days: int = 7
    min_checkins: int = 3
    low_threshold: float = 3.7
    drop_threshold: float = 0.8
    cooldown_days: int = 14
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """`opens` is true when a request should be created now; `reason` says why in numbers."""

    fires: bool
    opens: bool
    mean: float | None
    checkins: int
    reason: str | None
    suppressed_by: Suppression | None


def exact(value: float | Decimal) -> Decimal:
    """A number at the rule's precision: 6 decimals, half up."""
    return Decimal(str(value)).quantize(PRECISION, ROUND_HALF_UP)


def shown(value: Decimal) -> str:
    """The compared number as text, trailing zeros dropped: 4.675000 -> "4.675", 4 -> "4"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def window_start(today: date, params: RuleParams) -> date:
    """The first local date inside the rolling window that ends today."""
    return today - timedelta(days=params.window_days - 1)


def window_mean(
    scores: Mapping[date, float], *, today: date, params: RuleParams
) -> tuple[Decimal | None, int]:
    """The mean of the scores dated in the window ending today (6 decimals) and their count."""
    first = window_start(today, params)
    inside = [exact(score) for day, score in scores.items() if first <= day <= today]
    if not inside:
        return None, 0
    return exact(sum(inside, Decimal(0)) / len(inside)), len(inside)


def is_low(mean: Decimal | None, count: int, params: RuleParams) -> bool:
    """Enough check-ins in the window and a mean below the low threshold."""
    return mean is not None and count >= params.min_checkins and mean < exact(params.low_threshold)


def evaluate(
    *,
    scores: Mapping[date, float],
    today: date,
    params: RuleParams,
    baseline: float | None,
    version: int,
    request_active: bool,
    last_resolved_on: date | None,
) -> RuleOutcome:
    """Fire on a low window mean or a drop from the baseline of questionnaire `version`; open a
    request unless one is open or scheduled, the cool-down runs, or the rule is disabled.

    `scores` may hold any dates; only those in the window ending `today` count.
    """
    mean, count = window_mean(scores, today=today, params=params)

    def outcome(fires: bool, reason: str | None, why: Suppression | None) -> RuleOutcome:
        value = None if mean is None else float(mean)
        return RuleOutcome(fires, fires and why is None, value, count, reason, why)

    if not params.enabled:
        return outcome(False, None, "disabled")
    if mean is None or count < params.min_checkins:
        return outcome(False, None, "too_few_checkins")
    label = f"{params.window_days}-day mean {shown(mean)}"
    reasons = []
    if is_low(mean, count, params):
        reasons.append(f"{label} < {shown(exact(params.low_threshold))}")
    if baseline is not None:
        base = exact(baseline)
        drop = base - mean
        if drop >= exact(params.drop_threshold):
            reasons.append(
                f"{label} is {shown(drop)} below the baseline {shown(base)} "
                f"(drop ≥ {shown(exact(params.drop_threshold))})"
            )
    if not reasons:
        return outcome(False, None, None)
    reason = "; ".join(reasons) + f" ({count} check-ins)"
    if baseline is None:
        reason += f"; no baseline yet for version {version}"
    if request_active:
        return outcome(True, reason, "request_active")
    if last_resolved_on is not None and (today - last_resolved_on).days < params.cooldown_days:
        return outcome(True, reason, "cooldown")
    return outcome(True, reason, None)
