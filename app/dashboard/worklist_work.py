"""The worklist's facts about the work side: barriers, dialogue meetings, joint meetings.

Columns of `app.dashboard.worklist_sql.facts` (one row per linked patient), each a correlated
subquery over one table (the accepted job-support link, at most one, is joined to the linked
patients instead), read by the flag registry (`app.dashboard.flags`): the SQL twins of
`app.workfocus.queries.workfocus_for_patients` (issue 13) and
`app.jobsupport.meetings.joint_meetings_due` (issue 14), which the patient detail uses; tests
hold the two to the same flags on hand-built caseloads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, exists, select

from app.core.sqldays import epoch_day
from app.jobsupport.models import job_support_link_table, joint_meeting_table
from app.workfocus.models import barrier_check_table, dialogue_meeting_table
from app.workfocus.queries import SOON_DAYS

_b = barrier_check_table.c
_m = dialogue_meeting_table.c
_js = job_support_link_table.c
_jm = joint_meeting_table.c


def job_support_join(patient: Any) -> Any:
    """The join condition of the patient's accepted job-support link (at most one: a patient
    has at most one open link, uq_job_support_links_open_patient), for the linked patients'
    CTE: `job_support_columns` then read it without a subquery per patient."""
    return and_(_js.patient_id == patient, _js.status == "accepted")


def job_support_columns() -> list[Any]:
    """`job_support` (1 with an accepted link) and `accepted_at` (when it was accepted)."""
    return [
        case((_js.id.isnot(None), 1), else_=0).label("job_support"),
        _js.responded_at.label("accepted_at"),
    ]


def work_facts(p: Any, *, earliest: Any, latest_soon: Any) -> list[Any]:
    """`p` is the linked patients' CTE (`id`, `today` as a day number); `earliest` is the
    earliest local today of the caseload and `latest_soon` the latest plus SOON_DAYS (bound
    dates: they only narrow the index range)."""
    soon = exists().where(
        _m.patient_id == p.id,
        _m.status == "planned",
        _m.local_date >= earliest,
        _m.local_date <= latest_soon,
        epoch_day(_m.local_date) >= p.today,
        epoch_day(_m.local_date) <= p.today + SOON_DAYS,
    )

    def last_joint(column: Any, name: str) -> Any:
        """The latest joint meeting's date column (app.jobsupport.meetings.latest_meetings)."""
        return (
            select(epoch_day(column))
            .where(_jm.patient_id == p.id)
            .order_by(_jm.held_on.desc(), _jm.created_at.desc())
            .limit(1)
            .scalar_subquery()
            .label(name)
        )

    return [
        select(_b.workplace_rating)
        .where(_b.patient_id == p.id)
        .order_by(_b.local_date.desc())
        .limit(1)
        .scalar_subquery()
        .label("workplace_rating"),
        case((soon, 1), else_=0).label("meeting_soon"),
        select(epoch_day(_m.next_status_check_on))
        .where(_m.patient_id == p.id, _m.status == "held")
        .order_by(_m.starts_at.desc())
        .limit(1)
        .scalar_subquery()
        .label("status_check_day"),
        last_joint(_jm.held_on, "joint_held"),
        last_joint(_jm.next_on, "joint_next"),
    ]
