"""Plan-stage reviews (pure): each stage is reviewed about two weeks in (DESIGN.md, "Graded
sick leave": "a review about two weeks into each stage"; issue 10 §4)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.work.grades import Plan, Stage
from app.work.reviews import default_review_on, next_review_on, review_due

D = date(2026, 11, 2)  # a Monday


def _plan(*stages: Stage) -> Plan:
    return Plan(Decimal("37.5"), frozenset({1, 2, 3, 4, 5}), stages)


def _on(days: int) -> date:
    return D + timedelta(days=days)


def test_default_review_is_fourteen_days_after_the_stage_starts() -> None:
    assert default_review_on(Stage(D, 100)) == date(2026, 11, 16)
    assert default_review_on(Stage(D, 100, review_on=_on(10))) == _on(10)


def test_the_review_is_due_from_its_day_and_stays_due_until_held() -> None:
    plan = _plan(Stage(D, 100), Stage(_on(28), 50))  # reviews on day 14 and day 42
    assert (next_review_on(plan, today=_on(13)), review_due(plan, today=_on(13))) == (
        _on(14),
        False,
    )
    assert (next_review_on(plan, today=_on(14)), review_due(plan, today=_on(14))) == (
        _on(14),
        True,
    )
    # Overdue: still the day-14 review, also after its stage ended (day 27).
    assert (next_review_on(plan, today=_on(30)), review_due(plan, today=_on(30))) == (
        _on(14),
        True,
    )
    held = _plan(Stage(D, 100, reviewed_on=_on(15)), Stage(_on(28), 50))
    assert (next_review_on(held, today=_on(30)), review_due(held, today=_on(30))) == (
        _on(42),
        False,
    )


def test_a_later_review_that_has_come_supersedes_an_older_one() -> None:
    # Two-week stages: each review falls on the day the next stage starts.
    plan = _plan(Stage(D, 100), Stage(_on(14), 60), Stage(_on(28), 40))
    assert next_review_on(plan, today=_on(20)) == _on(14)
    assert next_review_on(plan, today=_on(28)) == _on(28)  # day 14's review superseded
    assert next_review_on(plan, today=_on(41)) == _on(28)
    assert next_review_on(plan, today=_on(42)) == _on(42)
    assert next_review_on(plan, today=_on(100)) == _on(42)


def test_no_plan_or_every_review_held() -> None:
    assert review_due(None, today=D) is False
    done = _plan(Stage(D, 50, reviewed_on=_on(14)))
    assert (next_review_on(done, today=_on(20)), review_due(done, today=_on(20))) == (None, False)
    assert next_review_on(_plan(), today=D) is None
