"""Scoring and bands, by hand: the mean of the items, reverse-scored items flipped."""

from __future__ import annotations

import pytest

from app.checkins.definition import (
    AnswersMismatch,
    QuestionnaireDefinition,
    band_of,
    score_answers,
)


def _definition(n: int, reverse: frozenset[int] = frozenset()) -> QuestionnaireDefinition:
    labels = {str(v): f"label {v}" for v in range(1, 7)}
    return QuestionnaireDefinition.model_validate(
        {
            "title": {"nb": "Test", "en": "Test"},
            "scale": {"min": 1, "max": 6, "labels": {"nb": labels, "en": labels}},
            "items": [
                {"id": f"q{i}", "text": {"nb": f"s{i}", "en": f"q{i}"}, "reverse": i in reverse}
                for i in range(1, n + 1)
            ],
            "metadata": {"illustrative": True},
        }
    )


def test_mean_of_eleven_items() -> None:
    d = _definition(11)
    # 3+3+3+3+3+4+4+4+4+4+5 = 40 → 40 / 11 = 3.636364
    values = [3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5]
    score = score_answers(d, {f"q{i}": v for i, v in enumerate(values, 1)})
    assert score == 3.636364
    assert band_of(score) == "low"


def test_exact_cutoffs_with_ten_items() -> None:
    d = _definition(10)
    # 7 x 4 + 3 x 3 = 37 → 3.7: moderate; 6 x 5 + 4 x 4 = 46 → 4.6: high
    at_low = score_answers(d, {f"q{i}": 4 if i <= 7 else 3 for i in range(1, 11)})
    at_high = score_answers(d, {f"q{i}": 5 if i <= 6 else 4 for i in range(1, 11)})
    assert (at_low, band_of(at_low)) == (3.7, "moderate")
    assert (at_high, band_of(at_high)) == (4.6, "high")


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1.0, "low"),
        (3.69, "low"),
        (3.69999, "low"),
        (3.7, "moderate"),
        (3.7000000000000006, "moderate"),
        (4.59, "moderate"),
        (4.6, "high"),
        (4.599999999999999, "high"),
        (6.0, "high"),
        # Compared at 6 decimals (issue 21: 7 would keep these below the cut-off):
        (3.6999996, "moderate"),
        (3.6999994, "low"),
        (4.5999996, "high"),
    ],
)
def test_band_edges(score: float, band: str) -> None:
    assert band_of(score) == band


def test_reverse_items_are_flipped() -> None:
    d = _definition(4, reverse=frozenset({2, 4}))
    # q1=6, q2=1 → 6, q3=5, q4=2 → 5: (6 + 6 + 5 + 5) / 4 = 5.5
    assert score_answers(d, {"q1": 6, "q2": 1, "q3": 5, "q4": 2}) == 5.5
    # all sixes: 6 + 1 + 6 + 1 = 14 / 4 = 3.5
    assert score_answers(d, {"q1": 6, "q2": 6, "q3": 6, "q4": 6}) == 3.5


@pytest.mark.parametrize(
    "answers",
    [
        {"q1": 3, "q2": 3},
        {"q1": 3, "q2": 3, "q3": 3, "q4": 3},
        {"q1": 3, "q2": 3, "x": 3},
        {"q1": 0, "q2": 3, "q3": 3},
        {"q1": 7, "q2": 3, "q3": 3},
    ],
)
def test_missing_extra_or_off_scale_answers_are_refused(answers: dict[str, int]) -> None:
    with pytest.raises(AnswersMismatch):
        score_answers(_definition(3), answers)
