"""`LinkedPatient`: the therapist's access to the patient in the path, checked once per request."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentTherapist
from app.care.access import PatientScope, ensure_linked
from app.core.deps import SessionDep


async def _linked_patient(
    patient_id: uuid.UUID, therapist: CurrentTherapist, session: SessionDep
) -> PatientScope:
    return await ensure_linked(session, therapist_id=therapist.id, patient_id=patient_id)


LinkedPatient = Annotated[PatientScope, Depends(_linked_patient)]
