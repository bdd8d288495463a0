"""Contacts with the patient's employer, recorded only while the patient's consent covers them.

The consent in force is read in the same transaction as the insert, after the patient's row
lock (app/accounts/locks.py), and the contact keeps the id of the consent version that
covered it. A withdrawn or narrowed consent therefore blocks every later contact at once:
409 `consent_required`, nothing written.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_existing_patient
from app.core.errors import Conflict, Unprocessable
from app.core.time import local_today, utcnow
from app.jobsupport.models import employer_contact_table
from app.jobsupport.rules import consent_refusal
from app.jobsupport.schemas import EmployerContactCreate, EmployerContactPublic
from app.privacy.models import consent_table

_c = employer_contact_table.c
_con = consent_table.c
_COLUMNS = [
    _c.person_role.label("role") if name == "role" else _c[name]
    for name in EmployerContactPublic.model_fields
]


async def list_contacts(
    session: AsyncSession, *, patient_id: uuid.UUID
) -> list[EmployerContactPublic]:
    """Every recorded contact with the patient's employer, latest first."""
    rows = await session.execute(
        select(*_COLUMNS)
        .where(_c.patient_id == patient_id)
        .order_by(_c.contacted_on.desc(), _c.created_at.desc())
    )
    return [EmployerContactPublic.model_validate(row, from_attributes=True) for row in rows]


async def record_contact(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    data: EmployerContactCreate,
    recorded_by: uuid.UUID,
    recorded_by_role: str,
) -> EmployerContactPublic:
    """Record a contact if the consent in force covers it now; else 409 `consent_required`."""
    timezone = await lock_existing_patient(session, patient_id=patient_id)
    if data.contacted_on > local_today(timezone):
        await session.rollback()
        raise Unprocessable(
            "Record a contact with the employer once it has happened.",
            code="contacted_on_in_future",
        )
    consent = (
        await session.execute(
            select(
                _con.id,
                _con.employer_contact,
                _con.employer_contact_purposes,
                _con.employer_contact_person,
            )
            .where(_con.patient_id == patient_id)
            .order_by(_con.created_at.desc(), _con.id.desc())
            .limit(1)
        )
    ).first()
    refusal = (
        "The patient has not consented to contact with the employer."
        if consent is None
        else consent_refusal(
            employer_contact=consent.employer_contact,
            purposes=consent.employer_contact_purposes or [],
            person=consent.employer_contact_person,
            purpose=data.purpose,
            contact_person=data.person,
        )
    )
    if consent is None or refusal is not None:
        await session.rollback()
        raise Conflict(refusal, code="consent_required")
    contact_id = uuid.uuid4()
    await session.execute(
        employer_contact_table.insert().values(
            id=contact_id,
            patient_id=patient_id,
            contacted_on=data.contacted_on,
            person=data.person,
            person_role=data.role,
            channel=data.channel,
            purpose=data.purpose,
            purpose_text=data.purpose_text,
            shared=data.shared,
            consent_id=consent.id,
            recorded_by=recorded_by,
            recorded_by_role=recorded_by_role,
            created_at=utcnow(),
        )
    )
    await session.commit()
    row = (await session.execute(select(*_COLUMNS).where(_c.id == contact_id))).one()
    return EmployerContactPublic.model_validate(row, from_attributes=True)
