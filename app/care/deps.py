"""`LinkedPatient`: the therapist's access to the patient in the path, checked and logged."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from app.auth.deps import CurrentTherapist
from app.care.access import PatientScope, ensure_linked
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
