"""/v1/me/reminders: the patient's reminder preferences."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentPatient
from app.core.deps import SessionDep
from app.core.schemas import error_responses
from app.reminders import service
from app.reminders.schemas import ReminderPublic, ReminderUpdate

router = APIRouter(tags=["reminders"])


@router.get("/me/reminders", response_model=ReminderPublic, responses=error_responses(401, 403))
async def read_reminders(patient: CurrentPatient, session: SessionDep) -> ReminderPublic:
    """Reminder times (local `HH:MM` in the account's current zone), quiet hours, and whether
    therapist messages come as pushes."""
    return await service.read_settings(session, patient_id=patient.id)


@router.put("/me/reminders", response_model=ReminderPublic, responses=error_responses(401, 403))
async def update_reminders(
    body: ReminderUpdate, patient: CurrentPatient, session: SessionDep
) -> ReminderPublic:
    """Replace the preferences; a reminder left out (or null) is off."""
    return await service.replace_settings(session, patient_id=patient.id, data=body)
