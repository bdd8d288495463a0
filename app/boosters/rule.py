"""The booster rule's arithmetic, pure: scores by local date in, a decision and a reason out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Suppression = Literal["disabled", "too_few_checkins", "request_open", "cooldown"]


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


def _num(value: float) -> str:
    """3.4 → "3.4", 3.4286 → "3.43", 4.0 → "4"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _num_below(value: float, limit: float) -> str:
    """Like `_num`, with as many decimals as it takes to show that value < limit."""
    for digits in range(2, 7):
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
        if float(text) < limit:
            return text
    return repr(value)


def window_start(today: date, params: RuleParams) -> date:
    """The first local date inside the rolling window that ends today."""
    return today - timedelta(days=params.window_days - 1)


def evaluate(
    *,
    scores: Mapping[date, float],
    today: date,
    params: RuleParams,
    baseline: float | None,
    request_open: bool,
    last_resolved_on: date | None,
) -> RuleOutcome:
    """Fire on a low rolling mean or a drop from baseline; open unless open/cool-down/disabled.

    `scores` may hold any dates; only those in the window ending `today` count. A request
    resolved on local date R is in the cool-down while `today - R < cooldown_days`.
    """
    first = window_start(today, params)
    inside = [score for day, score in scores.items() if first <= day <= today]
    count = len(inside)
    mean = round(sum(inside) / count, 6) if count else None

    def outcome(fires: bool, reason: str | None, why: Suppression | None) -> RuleOutcome:
        return RuleOutcome(fires, fires and why is None, mean, count, reason, why)

    if not params.enabled:
        return outcome(False, None, "disabled")
    if mean is None or count < params.min_checkins:
        return outcome(False, None, "too_few_checkins")
    label = f"{params.window_days}-day mean {_num(mean)}"
    reasons = []
    if mean < round(params.low_threshold, 6):
        low = _num_below(mean, params.low_threshold)
        reasons.append(f"{params.window_days}-day mean {low} < {_num(params.low_threshold)}")
    if baseline is not None:
        drop = round(baseline - mean, 6)
        if drop >= round(params.drop_threshold, 6):
            reasons.append(
                f"{label} is {_num(drop)} below the baseline {_num(baseline)} "
                f"(drop ≥ {_num(params.drop_threshold)})"
            )
    if not reasons:
        return outcome(False, None, None)
    reason = "; ".join(reasons) + f" ({count} check-ins)"
    if request_open:
        return outcome(True, reason, "request_open")
    if last_resolved_on is not None and (today - last_resolved_on).days < params.cooldown_days:
        return outcome(True, reason, "cooldown")
    return outcome(True, reason, None)
