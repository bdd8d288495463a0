"""The pure rules of job support, with hand-computed cases (app/jobsupport/rules.py, worklist).

Sources: DESIGN.md "Job support" (monthly joint meetings; the employer contacted only with
explicit permission) and issue 14 (31 days; 3 and 6 months after a new job starts).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.jobsupport.rules import consent_refusal, default_status, joint_meeting_due
from app.jobsupport.schemas import WorkWeekBrief
from app.jobsupport.worklist import worklist_flags

D = date.fromisoformat


def test_status_from_the_dates() -> None:
    today = D("2026-12-01")
    assert default_status(starts_on=D("2026-12-10"), ends_on=None, today=today) == "planned"
    assert default_status(starts_on=today, ends_on=None, today=today) == "active"
    assert default_status(starts_on=D("2026-11-01"), ends_on=today, today=today) == "active"
    ended = default_status(starts_on=D("2026-11-01"), ends_on=D("2026-11-30"), today=today)
    assert ended == "ended"


def test_joint_meeting_booked_within_31_days_is_not_due_until_its_day_passes() -> None:
    held = D("2026-11-01")
    # 1 Nov + 31 days = 2 Dec: a meeting booked for 1 Dec or 2 Dec is in time.
    for booked in (D("2026-12-01"), D("2026-12-02")):
        due = joint_meeting_due(
            last_held_on=held, next_on=booked, accepted_on=held, today=D("2026-11-20")
        )
        assert not due
    # Its day came (not yet passed): not due; the day after, with no new record: due.
    booked = D("2026-12-01")
    assert not joint_meeting_due(
        last_held_on=held, next_on=booked, accepted_on=held, today=D("2026-12-01")
    )
    assert joint_meeting_due(
        last_held_on=held, next_on=booked, accepted_on=held, today=D("2026-12-02")
    )


def test_joint_meeting_booked_too_late_or_not_at_all_is_due() -> None:
    held, today = D("2026-11-01"), D("2026-11-05")
    assert joint_meeting_due(
        last_held_on=held, next_on=D("2026-12-03"), accepted_on=held, today=today
    )
    assert joint_meeting_due(last_held_on=held, next_on=None, accepted_on=held, today=today)


def test_no_joint_meeting_yet_is_due_31_days_after_acceptance() -> None:
    accepted = D("2026-10-31")  # + 31 days = 1 Dec
    assert not joint_meeting_due(
        last_held_on=None, next_on=None, accepted_on=accepted, today=D("2026-12-01")
    )
    assert joint_meeting_due(
        last_held_on=None, next_on=None, accepted_on=accepted, today=D("2026-12-02")
    )


def test_consent_covers_only_what_it_names() -> None:
    def refusal(**changes: Any) -> str | None:
        args: dict[str, Any] = {
            "employer_contact": True,
            "purposes": ["adjustments", "return_plan"],
            "person": None,
            "purpose": "adjustments",
            "contact_person": "Mona Leder",
        }
        return consent_refusal(**(args | changes))

    # The refusal says which part of the consent is missing: the counsellor reads it (409).
    withdrawn = "The patient has not consented to contact with the employer."
    not_named = "The patient's consent does not cover contacts about job_search."
    other_person = "The patient's consent names another contact person at the employer."
    assert refusal() is None
    assert refusal(employer_contact=False) == withdrawn
    # withdrawal wins over a purpose or a person that would not be covered either
    assert refusal(employer_contact=False, purpose="job_search", person="Per Sjef") == withdrawn
    assert refusal(purpose="job_search") == not_named
    assert refusal(purpose="job_search", person="Per Sjef") == not_named
    # a consent naming no purpose covers nothing
    assert (
        refusal(purposes=[]) == "The patient's consent does not cover contacts about adjustments."
    )
    assert refusal(person="Mona Leder") is None
    assert refusal(person="  mona   LEDER ") is None  # case and spacing do not matter
    assert refusal(person="\uff2d\uff4f\uff4e\uff41 Leder") is None  # full-width letters (NFKC)
    assert refusal(person="Per Sjef") == other_person
    assert refusal(person="Mona") == other_person  # part of the name is another person


def test_worklist_flags() -> None:
    today = D("2026-12-02")

    def week(actual: int | None, planned: int | None) -> WorkWeekBrief:
        return WorkWeekBrief(
            week="2026-W48",
            week_start=D("2026-11-23"),
            actual_grade=actual,
            planned_grade=planned,
            complete=True,
        )

    # 7 local days are 26 Nov .. 2 Dec: an entry on 26 Nov counts, one on 25 Nov does not.
    assert (
        worklist_flags(
            today=today, last_diary_on=D("2026-11-26"), week=week(50, 50), meeting_due=False
        )
        == []
    )
    assert worklist_flags(
        today=today, last_diary_on=D("2026-11-25"), week=week(27, 50), meeting_due=True
    ) == ["no_diary_7d", "grade_below_plan", "joint_meeting_due"]
    assert worklist_flags(
        today=today, last_diary_on=None, week=week(None, 50), meeting_due=False
    ) == ["no_diary_7d"]
