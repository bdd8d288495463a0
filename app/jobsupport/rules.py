"""Small pure rules of job support, each with hand-computed tests (tests/test_jobsupport_rules.py).

Sources: the programmes' description in DESIGN.md ("Job support"): patient, therapist and
counsellor meet monthly; the employer is contacted only with the employee's explicit
permission (here: a consent that is on, names the contact's purpose and, when it names a
person, that person).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta

JOINT_MEETING_DAYS = 31


def default_status(*, starts_on: date, ends_on: date | None, today: date) -> str:
    """planned before the first day, ended after the last, active in between (inclusive)."""
    if starts_on > today:
        return "planned"
    if ends_on is not None and ends_on < today:
        return "ended"
    return "active"


def joint_meeting_due(
    *, last_held_on: date | None, next_on: date | None, accepted_on: date, today: date
) -> bool:
    """Whether the monthly joint meeting needs booking.

    With a meeting held: due unless the next one is booked within 31 days of it and that date
    has not passed without a new record. With none yet: due once 31 days have gone by since
    the patient accepted the counsellor.
    """
    if last_held_on is None:
        return (today - accepted_on).days > JOINT_MEETING_DAYS
    if next_on is None or next_on > last_held_on + timedelta(days=JOINT_MEETING_DAYS):
        return True
    return next_on < today


def _same_name(a: str, b: str) -> bool:
    def fold(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    return fold(a) == fold(b)


def consent_refusal(
    *,
    employer_contact: bool,
    purposes: Sequence[str],
    person: str | None,
    purpose: str,
    contact_person: str,
) -> str | None:
    """Why the consent in force does not cover this contact (None: it does)."""
    if not employer_contact:
        return "The patient has not consented to contact with the employer."
    if purpose not in purposes:
        return f"The patient's consent does not cover contacts about {purpose}."
    if person is not None and not _same_name(person, contact_person):
        return "The patient's consent names another contact person at the employer."
    return None
