"""The worklist's facts about the work side: barriers, dialogue meetings, joint meetings.

Columns of `app.dashboard.worklist_sql.facts` (one row per linked patient) -- a correlated
subquery for the meeting soon, each table's latest row ranked once for the caseload and
joined, the accepted job-support link (at most one) joined to the linked patients -- read by
the flag registry (`app.dashboard.flags`): the SQL twins of
`app.workfocus.queries.workfocus_for_patients` (issue 13) and
`app.jobsupport.meetings.joint_meetings_due` (issue 14), which the patient detail uses; tests
hold the two to the same flags on hand-built caseloads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, exists, func, select

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


def _latest(p: Any, name: str, patient: Any, order: list[Any], *where: Any, **columns: Any) -> Any:
    """Each linked patient's latest row of one table by `order` (at most one row per patient;
    ties as the former ORDER BY ... LIMIT 1 per patient, which left them to the database):
    ranked once for the whole caseload, to be joined on `patient_id` (a subquery per patient
    cost a sort per patient even on an empty table)."""
    ranked = (
        select(
            patient.label("patient_id"),
            *[column.label(key) for key, column in columns.items()],
            func.row_number().over(partition_by=patient, order_by=order).label("rank"),
        )
        .where(patient.in_(select(p.id)), *where)
        .subquery(f"{name}_ranked")
    )
    return (
        select(ranked.c.patient_id, *[ranked.c[key] for key in columns])
        .where(ranked.c.rank == 1)
        .subquery(name)
    )


def work_facts(p: Any, *, earliest: Any, latest_soon: Any) -> tuple[list[Any], list[Any]]:
    """The columns, and the latest-row subqueries they read (to be outer-joined on
    `patient_id`). `p` is the linked patients' CTE (`id`, `today` as a day number);
    `earliest` is the earliest local today of the caseload and `latest_soon` the latest plus
    SOON_DAYS (bound dates: they only narrow the index range)."""
    soon = exists().where(
        _m.patient_id == p.id,
        _m.status == "planned",
        _m.local_date >= earliest,
        _m.local_date <= latest_soon,
        epoch_day(_m.local_date) >= p.today,
        epoch_day(_m.local_date) <= p.today + SOON_DAYS,
    )
    barrier = _latest(
        p, "latest_barrier", _b.patient_id, [_b.local_date.desc()], rating=_b.workplace_rating
    )
    held = _latest(
        p,
        "latest_held",
        _m.patient_id,
        [_m.starts_at.desc()],
        _m.status == "held",
        check_on=_m.next_status_check_on,
    )
    # app.jobsupport.meetings.latest_meetings' order
    joint = _latest(
        p,
        "latest_joint",
        _jm.patient_id,
        [_jm.held_on.desc(), _jm.created_at.desc()],
        held_on=_jm.held_on,
        next_on=_jm.next_on,
    )
    columns = [
        barrier.c.rating.label("workplace_rating"),
        case((soon, 1), else_=0).label("meeting_soon"),
        epoch_day(held.c.check_on).label("status_check_day"),
        epoch_day(joint.c.held_on).label("joint_held"),
        epoch_day(joint.c.next_on).label("joint_next"),
    ]
    return columns, [barrier, held, joint]
