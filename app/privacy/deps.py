"""`AuditPatientReads`: route-level marker for therapist answers that carry `patient_id`s."""

from __future__ import annotations

from fastapi import Depends, Request

from app.auth.deps import CurrentUser
from app.core.deps import SessionDep
from app.privacy.audit import note_access_from_answer


async def _audit_patient_reads(request: Request, user: CurrentUser, session: SessionDep) -> None:
    note_access_from_answer(request, session=session, reader_id=user.id, reader_role=user.role)


# For routes that read patients' data without a {patient_id} in the path (lists across
# patients, objects addressed by their own id): every patient named in the answer is logged.
AuditPatientReads = Depends(_audit_patient_reads)
