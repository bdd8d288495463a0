"""Demo job support: the demo patient accepted the demo counsellor a month ago, works for the
same employer, met patient-therapist-counsellor two weeks ago, and consents to contact about
adjustments, of which one was recorded."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.time import local_today, utcnow
from app.jobsupport.models import (
    employer_contact_table,
    employment_table,
    job_support_link_table,
    joint_meeting_table,
)
from app.privacy.models import consent_table


async def seed_job_support(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    therapist_id: uuid.UUID,
    counsellor_id: uuid.UUID,
    timezone: str,
) -> None:
    """Seed the demo's job support unless the patient already has a link (again-safe)."""
    js = job_support_link_table.c
    if await session.scalar(select(js.id).where(js.patient_id == patient_id)):
        return
    now, today = utcnow(), local_today(timezone)
    meeting_on = today - timedelta(days=14)
    await session.execute(
        insert(job_support_link_table).values(
            id=uuid.uuid4(),
            patient_id=patient_id,
            counsellor_id=counsellor_id,
            proposed_by=therapist_id,
            status="accepted",
            created_at=now - timedelta(days=32),
            responded_at=now - timedelta(days=30),
        )
    )
    await session.execute(
        insert(employment_table).values(
            id=uuid.uuid4(),
            patient_id=patient_id,
            employer="Fjordbyen Bakeri",
            role="Baker",
            starts_on=today - timedelta(days=800),
            hours_per_week=30,
            kind="same_employer",
            status="active",
            recorded_by=counsellor_id,
            recorded_by_role="job_counsellor",
            created_at=now - timedelta(days=29),
        )
    )
    await session.execute(
        insert(joint_meeting_table).values(
            id=uuid.uuid4(),
            patient_id=patient_id,
            held_on=meeting_on,
            attended=["patient", "therapist", "counsellor"],
            progress="Back on three contract days; early shifts still hard.",
            decisions="Ask the manager about starting at 08:00 instead of 05:00.",
            next_on=meeting_on + timedelta(days=28),
            recorded_by=counsellor_id,
            recorded_by_role="job_counsellor",
            created_at=now - timedelta(days=14),
        )
    )
    consent_id = uuid.uuid4()
    await session.execute(
        insert(consent_table).values(
            id=consent_id,
            patient_id=patient_id,
            employer_contact=True,
            employer_contact_note="Only about working hours.",
            employer_contact_purposes=["adjustments"],
            employer_contact_person="Mona Leder",
            created_at=now - timedelta(days=13),
        )
    )
    await session.execute(
        insert(employer_contact_table).values(
            id=uuid.uuid4(),
            patient_id=patient_id,
            contacted_on=today - timedelta(days=12),
            person="Mona Leder",
            person_role="Manager",
            channel="phone",
            purpose="adjustments",
            shared="Asked for later shift starts for four weeks; nothing about health.",
            consent_id=consent_id,
            recorded_by=counsellor_id,
            recorded_by_role="job_counsellor",
            created_at=now - timedelta(days=12),
        )
    )
    await session.commit()
