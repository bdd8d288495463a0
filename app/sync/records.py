"""What each sync `type` is: the table that lists a patient's records of it (for snapshots) and
how to load records by id in the representation the patient's own GET endpoints return.

A loader returns only what the patient may see through those endpoints; an id it leaves out is
sent as a tombstone (deleted, cancelled, or hidden from the patient)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters import followup_answers
from app.boosters import queries as booster_queries
from app.boosters.models import booster_request_table, follow_up_table
from app.checkins import service as checkins
from app.checkins.models import checkin_table
from app.core.time import local_today
from app.exercises import logs as exercise_logs
from app.exercises import service as assignments
from app.exercises.doses import load_doses
from app.exercises.models import assignment_table, exercise_log_table
from app.instruments.store import version_by_id
from app.jobsupport import contacts, links
from app.jobsupport import employment as employments
from app.jobsupport import meetings as joint_meetings
from app.jobsupport.models import (
    employer_contact_table,
    employment_table,
    job_support_link_table,
    joint_meeting_table,
)
from app.jobsupport.schemas import EmployerContactPublic, JointMeetingPublic
from app.measures import schedules
from app.measures.models import measure_response_table, measure_schedule_table
from app.privacy import service as privacy
from app.privacy.models import consent_table
from app.sync.reader import Loaded, Reader, own
from app.sync.views import (
    communication_plan,
    communication_tables,
    dialogue_meetings,
    diary_entries,
    goals,
    measure_responses,
    rtw_plan,
)
from app.work.models import rtw_plan_table, rtw_plan_version_table, work_diary_table
from app.workfocus import barriers
from app.workfocus.models import barrier_check_table, dialogue_meeting_table, work_goal_table

Loader = Callable[[AsyncSession, Reader, list[uuid.UUID]], Awaitable[Loaded]]


@dataclass(frozen=True)
class Kind:
    name: str
    # Tables whose rows list the patient's records of this type (`id_column` is the record id).
    tables: tuple[Table, ...]
    id_column: str
    load: Loader


async def _assignments(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    rows = (
        await session.execute(
            select(*assignment_table.c).where(*own(assignment_table, reader, ids))
        )
    ).all()
    doses = await load_doses(session, ids=[row.id for row in rows])
    today = local_today(reader.timezone)
    return {row.id: assignments._public(row, doses[row.id], today) for row in rows if doses[row.id]}


async def _exercise_logs(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    rows = await session.execute(
        select(*exercise_logs._PUBLIC_COLUMNS).where(*own(exercise_log_table, reader, ids))
    )
    return {row.id: exercise_logs._public(row) for row in rows}


async def _checkins(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    rows = (
        await session.execute(select(*checkins._RETURNED).where(*own(checkin_table, reader, ids)))
    ).all()
    found: Loaded = {}
    for row in rows:
        version = await version_by_id(session, version_id=row.questionnaire_id)
        found[row.id] = checkins._public(row, version)
    return found


async def _booster_requests(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    rows = await session.execute(
        select(*booster_queries.COLUMNS).where(*own(booster_request_table, reader, ids))
    )
    return {row.id: booster_queries.public(row) for row in rows}


async def _follow_ups(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    # What GET /v1/me/follow-ups?upcoming=true shows: pending ones of a return that has begun.
    shown = await followup_answers.list_own(
        session, patient_id=reader.id, timezone=reader.timezone, upcoming=True
    )
    wanted = set(ids)
    return {item.id: item for item in shown if item.id in wanted}


async def _consents(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    if reader.id not in ids:
        return {}
    exists = await session.scalar(
        select(consent_table.c.id).where(consent_table.c.patient_id == reader.id).limit(1)
    )
    if exists is None:
        return {}
    return {reader.id: await privacy.consent_history(session, patient_id=reader.id)}


async def _measure_schedules(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    # A patient sees a schedule only as a measure that is due (GET /v1/me/measures/due).
    rows = await session.execute(
        select(measure_schedule_table.c.id, measure_schedule_table.c.measure).where(
            *own(measure_schedule_table, reader, ids)
        )
    )
    due = {
        item.measure: item
        for item in await schedules.due_for_patient(
            session, patient_id=reader.id, timezone=reader.timezone
        )
    }
    return {row.id: due[row.measure] for row in rows if row.measure in due}


async def _barrier_checks(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    rows = (
        await session.execute(
            select(*barriers._RETURNED).where(*own(barrier_check_table, reader, ids))
        )
    ).all()
    found: Loaded = {}
    for row in rows:
        version = await version_by_id(session, version_id=row.questionnaire_id)
        found[row.id] = barriers.public(row, version, locale=reader.locale)
    return found


async def _job_support_links(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    items = await links._links(session, *own(job_support_link_table, reader, ids))
    return {item.id: item for item in items}


async def _employments(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    items = await employments._public(session, *own(employment_table, reader, ids))
    return {item.id: item for item in items}


async def _joint_meetings(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    rows = await session.execute(
        select(*joint_meetings._COLUMNS).where(*own(joint_meeting_table, reader, ids))
    )
    return {row.id: JointMeetingPublic.model_validate(row, from_attributes=True) for row in rows}


async def _employer_contacts(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    rows = await session.execute(
        select(*contacts._COLUMNS).where(*own(employer_contact_table, reader, ids))
    )
    return {row.id: EmployerContactPublic.model_validate(row, from_attributes=True) for row in rows}


# The order snapshots go in; `type` values are part of the API (API.md "Sync and reminders").
KINDS: tuple[Kind, ...] = (
    Kind("assignment", (assignment_table,), "id", _assignments),
    Kind("exercise_log", (exercise_log_table,), "id", _exercise_logs),
    Kind("checkin", (checkin_table,), "id", _checkins),
    Kind("diary_entry", (work_diary_table,), "id", diary_entries),
    Kind("rtw_plan", (rtw_plan_table, rtw_plan_version_table), "patient_id", rtw_plan),
    Kind("booster_request", (booster_request_table,), "id", _booster_requests),
    Kind("follow_up", (follow_up_table,), "id", _follow_ups),
    Kind("consents", (consent_table,), "patient_id", _consents),
    Kind("measure_schedule", (measure_schedule_table,), "id", _measure_schedules),
    Kind("measure_response", (measure_response_table,), "id", measure_responses),
    Kind("barrier_check", (barrier_check_table,), "id", _barrier_checks),
    Kind("communication_plan", communication_tables(), "patient_id", communication_plan),
    Kind("dialogue_meeting", (dialogue_meeting_table,), "id", dialogue_meetings),
    Kind("goal", (work_goal_table,), "id", goals),
    Kind("job_support_link", (job_support_link_table,), "id", _job_support_links),
    Kind("employment", (employment_table,), "id", _employments),
    Kind("joint_meeting", (joint_meeting_table,), "id", _joint_meetings),
    Kind("employer_contact", (employer_contact_table,), "id", _employer_contacts),
)
BY_NAME = {kind.name: kind for kind in KINDS}
