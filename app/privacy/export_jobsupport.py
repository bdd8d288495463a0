"""The job-support side of the export: counsellor links, jobs, joint meetings, employer contacts.

Each is one set-based statement over the stored rows (the patient id left out, as everywhere).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Column, Select, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.jobsupport.models import (
    employer_contact_table,
    employment_table,
    job_support_link_table,
    joint_meeting_table,
)
from app.privacy.schemas import Record


def _columns(table: Table) -> list[Column[Any]]:
    return [column for column in table.columns if column.name != "patient_id"]


async def _records(session: AsyncSession, query: Select[Any]) -> list[Record]:
    return [dict(row._mapping) for row in await session.execute(query)]


async def job_support(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """Counsellors proposed to the patient and what became of each, with the counsellor's name."""
    j, u = job_support_link_table.c, user_table.c
    return await _records(
        session,
        select(*_columns(job_support_link_table), u.display_name.label("counsellor_name"))
        .join_from(job_support_link_table, user_table, u.id == j.counsellor_id)
        .where(j.patient_id == patient_id)
        .order_by(j.created_at, j.id),
    )


async def _own(
    session: AsyncSession, table: Table, patient_id: uuid.UUID, first: str
) -> list[Record]:
    c = table.c
    return await _records(
        session,
        select(*_columns(table)).where(c.patient_id == patient_id).order_by(c[first], c.id),
    )


async def employment(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """The patient's jobs, by first day."""
    return await _own(session, employment_table, patient_id, "starts_on")


async def joint_meetings(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """Joint meetings, by the day held."""
    return await _own(session, joint_meeting_table, patient_id, "held_on")


async def employer_contacts(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """Contacts with the employer, by day, each with the consent version that covered it."""
    return await _own(session, employer_contact_table, patient_id, "contacted_on")
