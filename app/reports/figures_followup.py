"""The follow-up and symptom-measure figures of the outcome report, pure (definitions in
app.reports.figures)."""

from __future__ import annotations

from typing import Any

from app.instruments.profiles import MeasureKey
from app.measures.recovery import is_case, recovered, reliable_change
from app.reports.queries import FOLLOW_UP_MONTHS
from app.reports.sheet import ACTIVE, Sheet

MEASURES: tuple[MeasureKey, ...] = ("phq9", "gad7")


def follow_up_figures(sheet: Sheet, rows: list[Any], active: int) -> None:
    """Follow-ups at 3 and 6 months due in the period: answered, and still working; the
    patients without one due are a cell too (else active minus those due would show them)."""
    for months in FOLLOW_UP_MONTHS:
        due = [r for r in rows if r.months == months]
        answered = [r for r in due if r.status == "answered"]
        prefix = f"followups.{months}m"
        patients = len({r.patient_id for r in due})
        total = sheet.count(
            f"{prefix}.due", f"follow-ups at {months} months due in the period", len(due), patients
        )
        without = sheet.count(
            f"{prefix}.patients_without", "patients without one due", active - patients
        )
        sheet.group(ACTIVE, (total, without))
        sheet.parts(
            total,
            [
                (
                    f"{prefix}.answered",
                    "answered",
                    len(answered),
                    len({r.patient_id for r in answered}),
                ),
                (
                    f"{prefix}.unanswered",
                    "not answered",
                    len(due) - len(answered),
                    len({r.patient_id for r in due if r.status != "answered"}),
                ),
            ],
        )
        working = [r for r in answered if r.still_working]
        sheet.parts(
            f"{prefix}.answered",
            [
                (
                    f"{prefix}.still_working",
                    "answered: still working",
                    len(working),
                    len({r.patient_id for r in working}),
                ),
                (
                    f"{prefix}.not_working",
                    "answered: not working",
                    len(answered) - len(working),
                    len({r.patient_id for r in answered if not r.still_working}),
                ),
            ],
        )


def measure_figures(sheet: Sheet, rows: list[Any]) -> None:
    """PHQ-9 and GAD-7: caseness at the first score, reliable change and recovery."""
    for measure in MEASURES:
        mine = [r for r in rows if r.measure == measure]
        p = f"measures.{measure}"
        base = sheet.split(
            ACTIVE,
            (f"{p}.patients", f"patients with a {measure} score"),
            (f"{p}.none", f"patients without a {measure} score"),
            len(mine),
        )
        sheet.split(
            base,
            (f"{p}.case_at_start", "a case at the first score"),
            (f"{p}.not_case_at_start", "not a case at the first score"),
            sum(is_case(measure, r.first) for r in mine),
        )
        paired = [r for r in mine if r.n >= 2]
        pairs = sheet.split(
            base,
            (f"{p}.paired", "two or more scores"),
            (f"{p}.single", "one score"),
            len(paired),
        )
        changes = [reliable_change(measure, r.first, r.last) for r in paired]
        sheet.parts(
            pairs,
            [
                (f"{p}.{name}", name.replace("_", " "), changes.count(name), None)
                for name in ("improved", "deteriorated", "no_reliable_change")
            ],
        )
        cases = [r for r in paired if is_case(measure, r.first)]
        cased = sheet.split(
            pairs,
            (f"{p}.paired_cases", "two or more scores, a case at the first"),
            (f"{p}.paired_not_cases", "two or more scores, not a case at the first"),
            len(cases),
        )
        sheet.split(
            cased,
            (f"{p}.recovered", "recovered: not a case at the last"),
            (f"{p}.not_recovered", "still a case at the last"),
            sum(recovered(measure, r.first, r.last) for r in cases),
        )
