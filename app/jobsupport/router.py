"""/v1/job-counsellors, /v1/patients/{patient_id}/job-support and /v1/me/job-support."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.auth.deps import CurrentPatient, CurrentTherapist
from app.care.deps import LinkedPatient
from app.core.deps import SessionDep
from app.core.schemas import ListResponse, error_responses
from app.idempotency.deps import IdempotencyGuard
from app.jobsupport import links
from app.jobsupport.schemas import CounsellorPublic, JobSupportLinkPublic, JobSupportProposal

router = APIRouter(tags=["job support"])


@router.get(
    "/job-counsellors",
    response_model=ListResponse[CounsellorPublic],
    responses=error_responses(401, 403),
)
async def list_counsellors(
    _therapist: CurrentTherapist, session: SessionDep
) -> ListResponse[CounsellorPublic]:
    """The clinic's active job counsellors, whom a therapist may propose to a patient."""
    items = await links.list_counsellors(session)
    return ListResponse(data=items, count=len(items))


@router.post(
    "/patients/{patient_id}/job-support",
    status_code=status.HTTP_201_CREATED,
    response_model=JobSupportLinkPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def propose_counsellor(
    body: JobSupportProposal, patient: LinkedPatient, _key: IdempotencyGuard, session: SessionDep
) -> JobSupportLinkPublic:
    """Propose a job counsellor to a linked patient. The counsellor sees nothing until the
    patient accepts; 409 `job_support_open` while a proposal or accepted link is open, 422
    `not_a_job_counsellor` for any other id."""
    return await links.propose(session, scope=patient, counsellor_id=body.counsellor_id)


@router.get(
    "/patients/{patient_id}/job-support",
    response_model=ListResponse[JobSupportLinkPublic],
    responses=error_responses(401, 403, 404),
)
async def patient_job_support(
    patient: LinkedPatient, session: SessionDep
) -> ListResponse[JobSupportLinkPublic]:
    """A linked patient's job-support links, newest first, history included."""
    items = await links.patient_links(session, patient_id=patient.patient_id)
    return ListResponse(data=items, count=len(items))


@router.get(
    "/me/job-support",
    response_model=ListResponse[JobSupportLinkPublic],
    responses=error_responses(401, 403),
)
async def my_job_support(
    patient: CurrentPatient, session: SessionDep
) -> ListResponse[JobSupportLinkPublic]:
    """My job counsellor: the open proposal or accepted link first, then the history."""
    items = await links.patient_links(session, patient_id=patient.id)
    return ListResponse(data=items, count=len(items))


@router.post(
    "/me/job-support/{link_id}/accept",
    response_model=JobSupportLinkPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def accept_counsellor(
    link_id: uuid.UUID, patient: CurrentPatient, session: SessionDep
) -> JobSupportLinkPublic:
    """Accept the proposed counsellor: from now on they see my work side (plan, diary, work
    summaries, employment, joint meetings), never homework, check-ins or symptoms; each of
    their reads shows in my access log."""
    return await links.respond(session, patient_id=patient.id, link_id=link_id, answer="accept")


@router.post(
    "/me/job-support/{link_id}/decline",
    response_model=JobSupportLinkPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def decline_counsellor(
    link_id: uuid.UUID, patient: CurrentPatient, session: SessionDep
) -> JobSupportLinkPublic:
    """Decline the proposed counsellor; they never see anything of mine."""
    return await links.respond(session, patient_id=patient.id, link_id=link_id, answer="decline")


@router.delete(
    "/me/job-support/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
)
async def end_job_support(link_id: uuid.UUID, patient: CurrentPatient, session: SessionDep) -> None:
    """End my job support at any time: the counsellor's access stops at once (a proposal not
    yet answered is declined). The link stays in my history."""
    await links.end(session, patient_id=patient.id, link_id=link_id)
