"""Employment, joint meetings, employer contacts and the counsellor's worklist.

Staff routes under /v1/patients/{patient_id} take `WorkSidePatient`: the patient's therapist
(care link) or the job counsellor the patient accepted; each read is logged with the reader's
role. The patient's twins live under /v1/me.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.auth.deps import CurrentCounsellor, CurrentPatient
from app.care.deps import WorkSidePatient
from app.core.deps import SessionDep
from app.core.schemas import ListResponse, error_responses
from app.idempotency.deps import IdempotencyGuard
from app.jobsupport import contacts, employment, meetings
from app.jobsupport.schemas import (
    CounsellorWorklistRow,
    EmployerContactCreate,
    EmployerContactPublic,
    EmploymentCreate,
    EmploymentPublic,
    EmploymentUpdate,
    JointMeetingCreate,
    JointMeetingPublic,
)
from app.jobsupport.worklist import counsellor_worklist
from app.privacy.deps import audit_patient_reads
from app.privacy.schemas import ConsentPublic
from app.privacy.service import current_consent

router = APIRouter(tags=["job support"])


@router.get(
    "/job-support/patients",
    response_model=ListResponse[CounsellorWorklistRow],
    responses=error_responses(401, 403),
    dependencies=[audit_patient_reads(kind="job-support-worklist", reason="job_support")],
)
async def worklist(
    counsellor: CurrentCounsellor, session: SessionDep
) -> ListResponse[CounsellorWorklistRow]:
    """The counsellor's worklist: every patient who accepted them, by name, with their job,
    last week's work grade against plan, the last diary day and joint meetings, and flags
    (`no_diary_7d`, `grade_below_plan`, `joint_meeting_due`). Logged per patient."""
    rows = await counsellor_worklist(session, counsellor_id=counsellor.id)
    return ListResponse(data=rows, count=len(rows))


@router.get(
    "/patients/{patient_id}/employment",
    response_model=ListResponse[EmploymentPublic],
    responses=error_responses(401, 403, 404),
)
async def patient_employment(
    patient: WorkSidePatient, session: SessionDep
) -> ListResponse[EmploymentPublic]:
    """The patient's jobs, latest start first, each with its follow-ups."""
    items = await employment.list_employment(session, patient_id=patient.patient_id)
    return ListResponse(data=items, count=len(items))


@router.post(
    "/patients/{patient_id}/employment",
    status_code=status.HTTP_201_CREATED,
    response_model=EmploymentPublic,
    responses=error_responses(401, 403, 404),
)
async def record_patient_employment(
    body: EmploymentCreate, patient: WorkSidePatient, _key: IdempotencyGuard, session: SessionDep
) -> EmploymentPublic:
    """Record a job; a new employer's first day schedules follow-ups at +3 and +6 months."""
    return await employment.record_employment(
        session,
        patient_id=patient.patient_id,
        data=body,
        recorded_by=patient.reader_id,
        recorded_by_role=patient.reader_role.value,
    )


@router.patch(
    "/patients/{patient_id}/employment/{employment_id}",
    response_model=EmploymentPublic,
    responses=error_responses(401, 403, 404),
)
async def update_patient_employment(
    employment_id: uuid.UUID, body: EmploymentUpdate, patient: WorkSidePatient, session: SessionDep
) -> EmploymentPublic:
    """Change a job (end it, correct a date); a new employer's follow-ups follow its first day."""
    return await employment.update_employment(
        session, patient_id=patient.patient_id, employment_id=employment_id, data=body
    )


@router.patch(
    "/me/employment/{employment_id}",
    response_model=EmploymentPublic,
    responses=error_responses(401, 403, 404),
)
async def update_my_employment(
    employment_id: uuid.UUID, body: EmploymentUpdate, patient: CurrentPatient, session: SessionDep
) -> EmploymentPublic:
    """Change a job of mine (end it, correct a date); its follow-ups follow its first day."""
    return await employment.update_employment(
        session, patient_id=patient.id, employment_id=employment_id, data=body
    )


@router.get(
    "/me/employment",
    response_model=ListResponse[EmploymentPublic],
    responses=error_responses(401, 403),
)
async def my_employment(
    patient: CurrentPatient, session: SessionDep
) -> ListResponse[EmploymentPublic]:
    """My jobs, latest start first, each with its follow-ups."""
    items = await employment.list_employment(session, patient_id=patient.id)
    return ListResponse(data=items, count=len(items))


@router.post(
    "/me/employment",
    status_code=status.HTTP_201_CREATED,
    response_model=EmploymentPublic,
    responses=error_responses(401, 403),
)
async def record_my_employment(
    body: EmploymentCreate, patient: CurrentPatient, _key: IdempotencyGuard, session: SessionDep
) -> EmploymentPublic:
    """Record a job of mine; a new employer's first day schedules my 3- and 6-month
    follow-ups."""
    return await employment.record_employment(
        session,
        patient_id=patient.id,
        data=body,
        recorded_by=patient.id,
        recorded_by_role="patient",
    )


@router.post(
    "/patients/{patient_id}/joint-meetings",
    status_code=status.HTTP_201_CREATED,
    response_model=JointMeetingPublic,
    responses=error_responses(401, 403, 404),
)
async def record_joint_meeting(
    body: JointMeetingCreate, patient: WorkSidePatient, _key: IdempotencyGuard, session: SessionDep
) -> JointMeetingPublic:
    """Record the monthly meeting of patient, therapist and counsellor (the next one defaults
    to a month later); the patient sees it."""
    return await meetings.record_meeting(
        session,
        patient_id=patient.patient_id,
        data=body,
        recorded_by=patient.reader_id,
        recorded_by_role=patient.reader_role.value,
    )


@router.get(
    "/patients/{patient_id}/joint-meetings",
    response_model=ListResponse[JointMeetingPublic],
    responses=error_responses(401, 403, 404),
)
async def patient_joint_meetings(
    patient: WorkSidePatient, session: SessionDep
) -> ListResponse[JointMeetingPublic]:
    """The patient's joint meetings, latest first."""
    items = await meetings.list_meetings(session, patient_id=patient.patient_id)
    return ListResponse(data=items, count=len(items))


@router.get(
    "/me/joint-meetings",
    response_model=ListResponse[JointMeetingPublic],
    responses=error_responses(401, 403),
)
async def my_joint_meetings(
    patient: CurrentPatient, session: SessionDep
) -> ListResponse[JointMeetingPublic]:
    """My joint meetings with my therapist and job counsellor, latest first."""
    items = await meetings.list_meetings(session, patient_id=patient.id)
    return ListResponse(data=items, count=len(items))


@router.post(
    "/patients/{patient_id}/employer-contacts",
    status_code=status.HTTP_201_CREATED,
    response_model=EmployerContactPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def record_employer_contact(
    body: EmployerContactCreate,
    patient: WorkSidePatient,
    _key: IdempotencyGuard,
    session: SessionDep,
) -> EmployerContactPublic:
    """Record a contact with the patient's employer. 409 `consent_required` unless, at this
    moment, the patient's consent is on, names the contact's purpose and (when it names a
    person) names this person."""
    return await contacts.record_contact(
        session,
        patient_id=patient.patient_id,
        data=body,
        recorded_by=patient.reader_id,
        recorded_by_role=patient.reader_role.value,
    )


@router.get(
    "/patients/{patient_id}/employer-contacts",
    response_model=ListResponse[EmployerContactPublic],
    responses=error_responses(401, 403, 404),
)
async def patient_employer_contacts(
    patient: WorkSidePatient, session: SessionDep
) -> ListResponse[EmployerContactPublic]:
    """Every recorded contact with the patient's employer, latest first."""
    items = await contacts.list_contacts(session, patient_id=patient.patient_id)
    return ListResponse(data=items, count=len(items))


@router.get(
    "/patients/{patient_id}/employer-consent",
    response_model=ConsentPublic,
    responses=error_responses(401, 403, 404),
)
async def patient_employer_consent(patient: WorkSidePatient, session: SessionDep) -> ConsentPublic:
    """The patient's employer-contact consent in force: whether, about what and with whom the
    employer may be contacted (so staff know before they call)."""
    return await current_consent(session, patient_id=patient.patient_id)


@router.get(
    "/me/employer-contacts",
    response_model=ListResponse[EmployerContactPublic],
    responses=error_responses(401, 403),
)
async def my_employer_contacts(
    patient: CurrentPatient, session: SessionDep
) -> ListResponse[EmployerContactPublic]:
    """Every contact the clinic had with my employer: who, how, why and what was shared."""
    items = await contacts.list_contacts(session, patient_id=patient.id)
    return ListResponse(data=items, count=len(items))
