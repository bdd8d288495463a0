"""Recovery arithmetic on PHQ-9 and GAD-7 scores: pure functions the clinic report will use.

The definitions (issue 15; the same ones the NHS Talking Therapies programme, formerly IAPT,
uses to report outcomes):
- caseness: PHQ-9 ≥ 10, GAD-7 ≥ 8 (a score at or above the clinical cut-off);
- reliable improvement: the score dropped by at least the measure's reliable-change amount,
  PHQ-9 6 points, GAD-7 4 points; reliable deterioration: it rose by at least as much;
- recovery: a case at the first measure and not a case at the last.
`recovered_on_both` is the programme's paired form, for a report that counts a person once:
a case on either measure at the start, a case on neither at the end.
"""

from __future__ import annotations

from typing import Literal

from app.instruments.profiles import MeasureKey

CASENESS: dict[MeasureKey, int] = {"phq9": 10, "gad7": 8}
RELIABLE_CHANGE: dict[MeasureKey, int] = {"phq9": 6, "gad7": 4}
ReliableChange = Literal["improved", "deteriorated", "no_reliable_change"]


def is_case(measure: MeasureKey, score: float) -> bool:
    """At or above the measure's clinical cut-off."""
    return score >= CASENESS[measure]


def reliable_change(measure: MeasureKey, first: float, last: float) -> ReliableChange:
    """Improved when the score fell by at least the reliable-change amount, deteriorated when it
    rose by at least as much, otherwise no reliable change."""
    amount = RELIABLE_CHANGE[measure]
    if first - last >= amount:
        return "improved"
    if last - first >= amount:
        return "deteriorated"
    return "no_reliable_change"


def recovered(measure: MeasureKey, first: float, last: float) -> bool:
    """A case at the first measure and not a case at the last."""
    return is_case(measure, first) and not is_case(measure, last)


def reliably_recovered(measure: MeasureKey, first: float, last: float) -> bool:
    """Recovered, and the fall was a reliable improvement too."""
    return recovered(measure, first, last) and reliable_change(measure, first, last) == "improved"


def recovered_on_both(
    *, phq9_first: float, gad7_first: float, phq9_last: float, gad7_last: float
) -> bool:
    """A case on either measure at the start, a case on neither at the end."""
    was_case = is_case("phq9", phq9_first) or is_case("gad7", gad7_first)
    still_case = is_case("phq9", phq9_last) or is_case("gad7", gad7_last)
    return was_case and not still_case
