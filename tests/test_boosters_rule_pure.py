"""The booster rule's arithmetic on hand-written sequences (no database).

Source: DESIGN.md rule 5 (rolling mean below the low cut-off, 3.7 by default, the Norwegian
RTW-SE cut-off for partial return; or a drop of at least 0.8 from the baseline, the mean of
the first 7 check-ins) and issue 10 §3 (baseline per questionnaire version; numbers shown at
the precision they were compared at).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.boosters.rule import RuleOutcome, RuleParams, evaluate, exact, is_low, shown, window_mean

TODAY = date(2027, 3, 20)
DEFAULT = RuleParams()


def days(*scores: float, end: date = TODAY) -> dict[date, float]:
    """Scores on consecutive days ending `end` (the last one is `end`)."""
    return {end - timedelta(days=len(scores) - 1 - i): s for i, s in enumerate(scores)}


def run(
    scores: dict[date, float],
    *,
    params: RuleParams = DEFAULT,
    baseline: float | None = None,
    version: int = 1,
    request_active: bool = False,
    last_resolved_on: date | None = None,
) -> RuleOutcome:
    return evaluate(
        scores=scores,
        today=TODAY,
        params=params,
        baseline=baseline,
        version=version,
        request_active=request_active,
        last_resolved_on=last_resolved_on,
    )


NO_BASELINE = "; no baseline yet for version 1"


def test_fewer_checkins_than_the_minimum_never_fires() -> None:
    outcome = run(days(1.0, 1.0))
    assert (outcome.fires, outcome.opens, outcome.suppressed_by) == (
        False,
        False,
        "too_few_checkins",
    )
    assert run(days(1.0, 1.0, 1.0)).opens


def test_low_mean_fires_with_a_reason_stating_the_numbers() -> None:
    # 3.0 + 3.5 + 3.5 + 3.5 + 3.5 = 17 / 5 = 3.4
    outcome = run(days(3.0, 3.5, 3.5, 3.5, 3.5))
    assert outcome.opens
    assert outcome.mean == 3.4
    assert outcome.reason == "7-day mean 3.4 < 3.7 (5 check-ins)" + NO_BASELINE


def test_exactly_the_low_threshold_does_not_fire() -> None:
    # 3.6 + 3.8 + 3.7 = 11.1 / 3 = 3.7 (float noise rounded away)
    outcome = run(days(3.6, 3.8, 3.7))
    assert outcome.mean == 3.7
    assert not outcome.fires
    just_below = run(days(3.6, 3.8, 3.69))  # 11.09 / 3 = 3.696667 (6 decimals, as compared)
    assert just_below.opens
    assert just_below.reason == "7-day mean 3.696667 < 3.7 (3 check-ins)" + NO_BASELINE
    # One millionth below is below; the comparison is strict.
    assert run(days(3.699999, 3.699999, 3.699999)).opens


def test_only_days_inside_the_window_count() -> None:
    # Day -7 (outside a 7-day window) is very low; the 3 days inside are fine.
    scores = {TODAY - timedelta(days=7): 1.0, **days(4.0, 4.0, 4.0)}
    assert not run(scores).fires
    # Day -6 is inside: (1 + 4 + 4 + 4) / 4 = 3.25
    scores = {TODAY - timedelta(days=6): 1.0, **days(4.0, 4.0, 4.0)}
    assert run(scores).reason == "7-day mean 3.25 < 3.7 (4 check-ins)" + NO_BASELINE
    # A future date (never written through the API) does not count either.
    assert not run({TODAY + timedelta(days=1): 1.0, **days(4.0, 4.0, 4.0)}).fires


def test_drop_from_baseline_fires_while_the_mean_stays_above_the_cutoff() -> None:
    # Baseline 5.2; mean (4.4 + 4.4 + 4.4) = 4.4: drop 0.8 exactly → fires
    outcome = run(days(4.4, 4.4, 4.4), baseline=5.2)
    assert outcome.opens
    assert outcome.reason == (
        "7-day mean 4.4 is 0.8 below the baseline 5.2 (drop ≥ 0.8) (3 check-ins)"
    )
    # Drop 0.79: no; a millionth short of 0.8: no
    assert not run(days(4.41, 4.41, 4.41), baseline=5.2).fires
    assert not run(days(4.400001, 4.400001, 4.400001), baseline=5.2).fires
    # No baseline yet: no drop rule
    assert not run(days(4.4, 4.4, 4.4), baseline=None).fires


def test_both_reasons_are_given_when_both_hold() -> None:
    outcome = run(days(3.0, 3.0, 3.0), baseline=4.5)
    assert outcome.reason == (
        "7-day mean 3 < 3.7; 7-day mean 3 is 1.5 below the baseline 4.5 (drop ≥ 0.8) (3 check-ins)"
    )


def test_the_reason_shows_the_numbers_as_compared() -> None:
    # Issue 10: baseline 4.675, mean 3.87, drop 0.805 -- not a rounded "4.67" that would not
    # add up to the drop.
    outcome = run(days(3.87, 3.87, 3.87), baseline=4.675)
    assert outcome.reason == (
        "7-day mean 3.87 is 0.805 below the baseline 4.675 (drop ≥ 0.8) (3 check-ins)"
    )
    # A mean with a 7th decimal of exactly 5 is rounded half up: (3.699998 + 3.699999) / 2
    # = 3.6999985 -> 3.699999 (half-even would show 3.699998).
    scores = {TODAY: 3.699998, TODAY - timedelta(days=1): 3.699999}
    low = run(scores, params=RuleParams(min_checkins=2))
    assert low.reason == "7-day mean 3.699999 < 3.7 (2 check-ins)" + NO_BASELINE
    assert low.mean == 3.699999


def test_without_a_baseline_for_the_version_only_the_low_mean_can_fire() -> None:
    # Version 2 has no 7 check-ins yet: a drop cannot be judged, and the reason says so.
    outcome = run(days(3.0, 3.0, 3.0), baseline=None, version=2)
    assert outcome.reason == "7-day mean 3 < 3.7 (3 check-ins); no baseline yet for version 2"
    assert not run(days(4.0, 4.0, 4.0), baseline=None, version=2).fires
    assert run(days(4.0, 4.0, 4.0), baseline=4.8, version=2).fires


def test_an_open_or_scheduled_request_suppresses_a_new_one() -> None:
    outcome = run(days(2.0, 2.0, 2.0), request_active=True)
    assert (outcome.fires, outcome.opens, outcome.suppressed_by) == (
        True,
        False,
        "request_active",
    )


@pytest.mark.parametrize(
    ("days_since", "opens"), [(0, False), (1, False), (13, False), (14, True), (30, True)]
)
def test_cooldown_edges(days_since: int, opens: bool) -> None:
    outcome = run(days(2.0, 2.0, 2.0), last_resolved_on=TODAY - timedelta(days=days_since))
    assert outcome.fires
    assert outcome.opens is opens
    assert outcome.suppressed_by == (None if opens else "cooldown")


def test_disabled_rule_never_fires() -> None:
    outcome = run(days(1.0, 1.0, 1.0), params=RuleParams(enabled=False))
    assert (outcome.fires, outcome.suppressed_by) == (False, "disabled")


def test_other_parameters() -> None:
    params = RuleParams(
        window_days=3, min_checkins=2, low_threshold=4.0, drop_threshold=0.5, cooldown_days=3
    )
    # Only the last 3 days count: (3.9 + 3.9) / 2 = 3.9 < 4.0
    scores = {TODAY - timedelta(days=3): 1.0, TODAY - timedelta(days=1): 3.9, TODAY: 3.9}
    outcome = run(scores, params=params, last_resolved_on=TODAY - timedelta(days=3))
    assert outcome.opens
    assert outcome.reason == "3-day mean 3.9 < 4 (2 check-ins)" + NO_BASELINE
    assert not run(scores, params=params, last_resolved_on=TODAY - timedelta(days=2)).opens


def test_window_mean_and_the_low_test_the_worklist_uses() -> None:
    params = RuleParams(window_days=3, min_checkins=2, low_threshold=4.0)
    scores = {TODAY - timedelta(days=3): 1.0, TODAY - timedelta(days=2): 3.5, TODAY: 4.0}
    mean, count = window_mean(scores, today=TODAY, params=params)
    assert (mean, count) == (Decimal("3.750000"), 2)
    assert is_low(mean, count, params)
    assert not is_low(mean, 1, params)  # too few check-ins
    assert not is_low(Decimal("4.000000"), 2, params)  # at the threshold is not below
    assert not is_low(None, 0, params)
    assert window_mean({}, today=TODAY, params=params) == (None, 0)


def test_exact_and_shown() -> None:
    assert exact(4.675) == Decimal("4.675000")
    assert exact(Decimal("0.0000005")) == Decimal("0.000001")  # half up
    assert [shown(Decimal(v)) for v in ("4.675000", "4.000000", "0.805000", "10")] == [
        "4.675",
        "4",
        "0.805",
        "10",
    ]


def test_every_outcome_carries_its_numbers() -> None:
    # Issue 21 (mutation survivors): the outcome is read whole by the check-in answer and the
    # worklist, so each field is pinned, in each way the rule can end.
    quiet = run(days(4.0, 4.0, 4.0))
    assert quiet == RuleOutcome(False, False, 4.0, 3, None, None)
    reason = "7-day mean 2 < 3.7 (3 check-ins)" + NO_BASELINE
    active = run(days(2.0, 2.0, 2.0), request_active=True)
    assert active == RuleOutcome(True, False, 2.0, 3, reason, "request_active")
    cooling = run(days(2.0, 2.0, 2.0), last_resolved_on=TODAY - timedelta(days=3))
    assert cooling == RuleOutcome(True, False, 2.0, 3, reason, "cooldown")
    # Nothing in the window: no mean at all, whatever stops the rule.
    assert run({}) == RuleOutcome(False, False, None, 0, None, "too_few_checkins")
    disabled = run({}, params=RuleParams(enabled=False))
    assert disabled == RuleOutcome(False, False, None, 0, None, "disabled")
