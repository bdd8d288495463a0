"""GET /v1/job-support/patients: the counsellor's worklist, in seven statements for any number
of patients (patients, last week's grade (two), last diary day, jobs, latest joint meetings,
next dialogue meetings)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.core.time import local_today, to_local_date
from app.jobsupport.meetings import latest_meetings
from app.jobsupport.models import employment_table, job_support_link_table
from app.jobsupport.rules import joint_meeting_due
from app.jobsupport.schemas import (
    CounsellorWorklistRow,
    EmploymentBrief,
    WorklistFlag,
    WorkWeekBrief,
)
from app.work import service as work
from app.work.grades import iso_week_label
from app.work.models import work_diary_table
from app.workfocus.models import dialogue_meeting_table

_u = user_table.c
_js = job_support_link_table.c
_e = employment_table.c
_d = work_diary_table.c
_dm = dialogue_meeting_table.c
NO_DIARY_DAYS = 7


def worklist_flags(
    *,
    today: date,
    last_diary_on: date | None,
    week: WorkWeekBrief | None,
    meeting_due: bool,
) -> list[WorklistFlag]:
    """The row's flags: no diary entry in the last 7 local days (today included), last
    week's actual grade below plan, joint meeting due."""
    flags: list[WorklistFlag] = []
    if last_diary_on is None or last_diary_on <= today - timedelta(days=NO_DIARY_DAYS):
        flags.append("no_diary_7d")
    if (
        week is not None
        and week.actual_grade is not None
        and week.planned_grade is not None
        and week.actual_grade < week.planned_grade
    ):
        flags.append("grade_below_plan")
    if meeting_due:
        flags.append("joint_meeting_due")
    return flags


async def _current_jobs(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    rows = await session.execute(
        select(_e.patient_id, _e.employer, _e.kind, _e.status, _e.starts_on)
        .where(_e.patient_id.in_(ids), _e.status != "ended")
        .order_by(_e.patient_id, _e.starts_on.desc(), _e.created_at.desc())
    )
    jobs: dict[uuid.UUID, Any] = {}
    for row in rows:
        jobs.setdefault(row.patient_id, row)
    return jobs


async def next_dialogue_meetings(
    session: AsyncSession, *, today_by_patient: dict[uuid.UUID, date]
) -> dict[uuid.UUID, date]:
    """Each patient's next planned dialogue meeting on their local today or later (one
    statement; only planned meetings from the earliest of their todays are read)."""
    if not today_by_patient:
        return {}
    rows = await session.execute(
        select(_dm.patient_id, _dm.local_date)
        .where(
            _dm.patient_id.in_(list(today_by_patient)),
            _dm.status == "planned",
            _dm.local_date >= min(today_by_patient.values()),
        )
        .order_by(_dm.local_date)
    )
    found: dict[uuid.UUID, date] = {}
    for row in rows:
        if row.local_date >= today_by_patient[row.patient_id]:
            found.setdefault(row.patient_id, row.local_date)
    return found


async def counsellor_worklist(
    session: AsyncSession, *, counsellor_id: uuid.UUID
) -> list[CounsellorWorklistRow]:
    """One row per patient who accepted this counsellor, by name."""
    patients = (
        await session.execute(
            select(_u.id, _u.display_name, _u.timezone, _js.responded_at)
            .join_from(job_support_link_table, user_table, _u.id == _js.patient_id)
            .where(_js.counsellor_id == counsellor_id, _js.status == "accepted")
            .order_by(_u.display_name, _u.id)
        )
    ).all()
    if not patients:
        return []
    today = {p.id: local_today(p.timezone) for p in patients}
    ids = list(today)
    glance = await work.work_at_a_glance(session, today_by_patient=today)
    last_diary = {
        row.patient_id: row.last
        for row in await session.execute(
            select(_d.patient_id, func.max(_d.local_date).label("last"))
            .where(_d.patient_id.in_(ids))
            .group_by(_d.patient_id)
        )
    }
    jobs = await _current_jobs(session, ids)
    meetings = await latest_meetings(session, patient_ids=ids)
    dialogue = await next_dialogue_meetings(session, today_by_patient=today)
    rows = []
    for p in patients:
        day, meeting, job = today[p.id], meetings.get(p.id), jobs.get(p.id)
        seen = glance.get(p.id)
        week = (
            None
            if seen is None
            else WorkWeekBrief(
                week=iso_week_label(seen.last_week.first),
                week_start=seen.last_week.first,
                actual_grade=seen.last_week.actual_grade,
                planned_grade=seen.last_week.planned_grade,
                complete=seen.last_week.complete,
            )
        )
        accepted_on = to_local_date(p.responded_at, p.timezone) if p.responded_at else day
        due = joint_meeting_due(
            last_held_on=None if meeting is None else meeting.held_on,
            next_on=None if meeting is None else meeting.next_on,
            accepted_on=accepted_on,
            today=day,
        )
        rows.append(
            CounsellorWorklistRow(
                patient_id=p.id,
                display_name=p.display_name,
                local_date=day,
                linked_since=p.responded_at,
                employment=None
                if job is None
                else EmploymentBrief(
                    employer=job.employer, kind=job.kind, status=job.status, starts_on=job.starts_on
                ),
                work_week=week,
                last_diary_on=last_diary.get(p.id),
                last_joint_meeting_on=None if meeting is None else meeting.held_on,
                next_joint_meeting_on=None if meeting is None else meeting.next_on,
                next_dialogue_meeting_on=dialogue.get(p.id),
                flags=worklist_flags(
                    today=day, last_diary_on=last_diary.get(p.id), week=week, meeting_due=due
                ),
            )
        )
    return rows
