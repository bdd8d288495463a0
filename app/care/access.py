"""The one answer to "may this therapist see this patient?": an active care link, checked in SQL.

Therapist routes under /v1/patients/{patient_id} take the `LinkedPatient` dependency
(app/care/deps.py), which calls `ensure_linked` and hands the service a `PatientScope`; lists
across patients filter on `linked_patient_ids`. What may not be seen is a 404, exactly like
what does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.models import care_link_table
from app.core.errors import NotFound

_cl = care_link_table.c


@dataclass(frozen=True, slots=True)
class PatientScope:
    """Proof that `therapist_id` may read `patient_id` now; only `ensure_linked` makes one."""

    therapist_id: uuid.UUID
    patient_id: uuid.UUID


def patient_not_found() -> NotFound:
    """The single 404 for a patient the caller may not see or that does not exist."""
    return NotFound("Patient not found.", code="patient_not_found")


def linked_patient_ids(therapist_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    """Subquery of the patient ids this therapist currently treats."""
    return select(_cl.patient_id).where(_cl.therapist_id == therapist_id, _cl.ended_at.is_(None))


async def ensure_linked(
    session: AsyncSession, *, therapist_id: uuid.UUID, patient_id: uuid.UUID
) -> PatientScope:
    """The scope for reading this patient, or the patient 404 when no active link joins them."""
    found = await session.scalar(
        select(_cl.id).where(
            _cl.patient_id == patient_id,
            _cl.therapist_id == therapist_id,
            _cl.ended_at.is_(None),
        )
    )
    if found is None:
        raise patient_not_found()
    return PatientScope(therapist_id=therapist_id, patient_id=patient_id)
