"""Recovery arithmetic and answer windows, by hand.

Recovery: the definitions of issue 15, which are those the NHS Talking Therapies programme
(formerly IAPT) reports with: caseness PHQ-9 >= 10 and GAD-7 >= 8; reliable change 6 points on
PHQ-9 and 4 on GAD-7; recovery = a case at the first measure and not a case at the last.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.measures.recovery import (
    is_case,
    recovered,
    recovered_on_both,
    reliable_change,
    reliably_recovered,
)
from app.measures.windows import Occurrence, due_status, is_late, occurrence


@pytest.mark.parametrize(
    ("measure", "score", "case"),
    [("phq9", 9, False), ("phq9", 10, True), ("gad7", 7, False), ("gad7", 8, True)],
)
def test_caseness_starts_at_the_cut_off(measure: str, score: int, case: bool) -> None:
    assert is_case(measure, score) is case  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("measure", "first", "last", "expected"),
    [
        ("phq9", 18, 12, "improved"),  # fell 6: exactly the reliable amount
        ("phq9", 18, 13, "no_reliable_change"),  # fell 5
        ("phq9", 7, 13, "deteriorated"),  # rose 6
        ("phq9", 7, 12, "no_reliable_change"),  # rose 5
        ("gad7", 12, 8, "improved"),  # fell 4
        ("gad7", 12, 9, "no_reliable_change"),  # fell 3
        ("gad7", 5, 9, "deteriorated"),  # rose 4
        ("gad7", 5, 5, "no_reliable_change"),
    ],
)
def test_reliable_change(measure: str, first: int, last: int, expected: str) -> None:
    assert reliable_change(measure, first, last) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("measure", "first", "last", "is_recovered", "is_reliable"),
    [
        ("phq9", 14, 9, True, False),  # case → not a case, but a fall of 5 is not reliable
        ("phq9", 16, 9, True, True),  # case → not a case, fell 7
        ("phq9", 9, 3, False, False),  # never a case: nothing to recover from
        ("phq9", 20, 10, False, False),  # fell 10 and still a case (10 is a case)
        ("gad7", 8, 7, True, False),  # the cut-off itself is a case; 7 is not
        ("gad7", 11, 6, True, True),  # fell 5 across the cut-off
    ],
)
def test_recovery(
    measure: str, first: int, last: int, is_recovered: bool, is_reliable: bool
) -> None:
    assert recovered(measure, first, last) is is_recovered  # type: ignore[arg-type]
    assert reliably_recovered(measure, first, last) is is_reliable  # type: ignore[arg-type]


def test_recovery_on_both_measures_counts_a_person_once() -> None:
    # A case on GAD-7 only at the start, neither at the end: recovered.
    assert recovered_on_both(phq9_first=8, gad7_first=9, phq9_last=6, gad7_last=7)
    # Still a case on PHQ-9 at the end: not recovered, whatever GAD-7 did.
    assert not recovered_on_both(phq9_first=12, gad7_first=12, phq9_last=10, gad7_last=3)
    # Never a case on either: not counted as a recovery.
    assert not recovered_on_both(phq9_first=9, gad7_first=7, phq9_last=2, gad7_last=2)


START = date(2026, 11, 2)  # a Monday; every 14 days: due 2, 16, 30 November


def test_occurrences_every_fourteen_days_with_a_three_day_window() -> None:
    assert occurrence(starts_on=START, every_days=14, day=date(2026, 11, 1)) is None
    first = occurrence(starts_on=START, every_days=14, day=START)
    assert first == Occurrence(
        due_on=date(2026, 11, 2), answer_by=date(2026, 11, 4), next_due_on=date(2026, 11, 16)
    )
    assert occurrence(starts_on=START, every_days=14, day=date(2026, 11, 15)) == first
    second = occurrence(starts_on=START, every_days=14, day=date(2026, 11, 16))
    assert second is not None
    assert (second.due_on, second.answer_by) == (date(2026, 11, 16), date(2026, 11, 18))
    assert not is_late(first, date(2026, 11, 4))  # the third day of the window
    assert is_late(first, date(2026, 11, 5))


def test_due_status_through_one_occurrence() -> None:
    def status(today: date, last: date | None) -> object:
        found = due_status(starts_on=START, every_days=7, today=today, last_answered_on=last)
        return None if found is None else (found[0].due_on, found[1])

    assert status(date(2026, 11, 1), None) is None  # not started
    assert status(date(2026, 11, 2), None) == (date(2026, 11, 2), "due")
    assert status(date(2026, 11, 4), None) == (date(2026, 11, 2), "due")
    assert status(date(2026, 11, 5), None) == (date(2026, 11, 2), "overdue")
    assert status(date(2026, 11, 5), date(2026, 11, 5)) is None  # answered late: done
    # Answered on the due date itself: done (issue 21: `>` here kept it due all window long).
    assert status(date(2026, 11, 3), date(2026, 11, 2)) is None
    assert status(date(2026, 11, 8), date(2026, 11, 1)) == (date(2026, 11, 2), "overdue")
    # The next occurrence replaces a missed one: due again, not overdue.
    assert status(date(2026, 11, 9), date(2026, 10, 20)) == (date(2026, 11, 9), "due")
    assert status(date(2026, 11, 9), date(2026, 11, 3)) == (date(2026, 11, 9), "due")
