"""`LinkedPatient`: the therapist's access to the patient in the path, checked and logged;
`WorkSidePatient`: the same for the patient's work side, open to a therapist (care link) and to
a job counsellor (accepted job-support link), logged with the reader's role and ground."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from app.auth.deps import CurrentTherapist, CurrentWorkSideStaff
from app.care.access import PatientScope, ensure_linked, ensure_work_side
from app.core.deps import SessionDep
from app.privacy.audit import note_access


async def _linked_patient(
    patient_id: uuid.UUID, therapist: CurrentTherapist, session: SessionDep, request: Request
) -> PatientScope:
    scope = await ensure_linked(session, therapist_id=therapist.id, patient_id=patient_id)
    # Every successful answer to a route that takes LinkedPatient gets an access-log row.
    note_access(
        request,
        session=session,
        patient_ids=[patient_id],
        reader_id=therapist.id,
        reader_role=therapist.role,
        reader_name=therapist.display_name,
    )
    return scope


LinkedPatient = Annotated[PatientScope, Depends(_linked_patient)]


async def _work_side_patient(
    patient_id: uuid.UUID, staff: CurrentWorkSideStaff, session: SessionDep, request: Request
) -> PatientScope:
    scope = await ensure_work_side(
        session, reader_id=staff.id, reader_role=staff.role, patient_id=patient_id
    )
    note_access(
        request,
        session=session,
        patient_ids=[patient_id],
        reader_id=staff.id,
        reader_role=staff.role,
        reader_name=staff.display_name,
        reason=scope.reason,
    )
    return scope


# Routes of the work side under /v1/patients/{patient_id}: therapist or linked job counsellor.
WorkSidePatient = Annotated[PatientScope, Depends(_work_side_patient)]
