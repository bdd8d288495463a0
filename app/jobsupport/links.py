"""Job-support links: the therapist proposes a counsellor, the patient accepts, declines or ends.

Access follows the link at once: `care.access.ensure_work_side` reads `status = 'accepted'` on
every request, so ending a link (or declining a proposal) shuts the counsellor out with the
very next request. Links are never deleted; their history is the patient's (export).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_patient
from app.accounts.models import Role, user_table
from app.care.access import PatientScope, patient_not_found
from app.core.db import rowcount
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.time import utcnow
from app.jobsupport.models import job_support_link_table
from app.jobsupport.schemas import CounsellorPublic, JobSupportLinkPublic

_js = job_support_link_table.c
_u = user_table.c
_COLUMNS = [
    _js.id,
    _js.patient_id,
    _js.counsellor_id,
    _u.display_name.label("counsellor_name"),
    _js.proposed_by,
    _js.status,
    _js.created_at,
    _js.responded_at,
    _js.ended_at,
]


def _public(row: Any) -> JobSupportLinkPublic:
    return JobSupportLinkPublic.model_validate(row, from_attributes=True)


def link_not_found() -> NotFound:
    """The single 404 for a link that is not the caller's or does not exist."""
    return NotFound("Job-support link not found.", code="job_support_link_not_found")


async def _links(session: AsyncSession, *where: Any) -> list[JobSupportLinkPublic]:
    rows = await session.execute(
        select(*_COLUMNS)
        .join_from(job_support_link_table, user_table, _u.id == _js.counsellor_id)
        .where(*where)
        .order_by(_js.created_at.desc(), _js.id.desc())
    )
    return [_public(row) for row in rows]


async def list_counsellors(session: AsyncSession) -> list[CounsellorPublic]:
    """The clinic's active job counsellors, by name."""
    rows = await session.execute(
        select(_u.id, _u.display_name)
        .where(_u.role == Role.job_counsellor.value, _u.disabled_at.is_(None))
        .order_by(_u.display_name, _u.id)
    )
    return [CounsellorPublic(id=row.id, display_name=row.display_name) for row in rows]


async def propose(
    session: AsyncSession, *, scope: PatientScope, counsellor_id: uuid.UUID
) -> JobSupportLinkPublic:
    """The therapist proposes a counsellor; the patient must accept before anything is seen.

    422 `not_a_job_counsellor` for any id that is not an active counsellor; 409
    `job_support_open` while another proposal or accepted link is open."""
    counsellor = await session.scalar(
        select(_u.id).where(
            _u.id == counsellor_id,
            _u.role == Role.job_counsellor.value,
            _u.disabled_at.is_(None),
        )
    )
    if counsellor is None:
        raise Unprocessable("That is not an active job counsellor.", code="not_a_job_counsellor")
    if await lock_patient(session, patient_id=scope.patient_id) is None:
        raise patient_not_found()
    link_id = uuid.uuid4()
    try:
        await session.execute(
            job_support_link_table.insert().values(
                id=link_id,
                patient_id=scope.patient_id,
                counsellor_id=counsellor_id,
                proposed_by=scope.reader_id,
                status="proposed",
                created_at=utcnow(),
            )
        )
        await session.commit()
    except IntegrityError as exc:  # the partial unique index: one open link per patient
        await session.rollback()
        raise Conflict(
            "The patient already has a job counsellor proposed or accepted.",
            code="job_support_open",
        ) from exc
    return (await _links(session, _js.id == link_id))[0]


async def patient_links(
    session: AsyncSession, *, patient_id: uuid.UUID
) -> list[JobSupportLinkPublic]:
    """Every job-support link of the patient, newest first (the history included)."""
    return await _links(session, _js.patient_id == patient_id)


_NEXT = {"accept": ("proposed", "accepted"), "decline": ("proposed", "declined")}


async def respond(
    session: AsyncSession, *, patient_id: uuid.UUID, link_id: uuid.UUID, answer: str
) -> JobSupportLinkPublic:
    """The patient accepts or declines a proposal; any other state is 409
    `job_support_not_proposed`."""
    before, after = _NEXT[answer]
    done = await session.execute(
        update(job_support_link_table)
        .where(_js.id == link_id, _js.patient_id == patient_id, _js.status == before)
        .values(status=after, responded_at=utcnow())
    )
    if rowcount(done) != 1:
        await session.rollback()
        found = await session.scalar(
            select(_js.status).where(_js.id == link_id, _js.patient_id == patient_id)
        )
        if found is None:
            raise link_not_found()
        if found == after:  # a retry of the same answer
            return (await _links(session, _js.id == link_id))[0]
        raise Conflict(
            f"This job-support link is {found}; only a proposal can be answered.",
            code="job_support_not_proposed",
        )
    await session.commit()
    return (await _links(session, _js.id == link_id))[0]


async def end(session: AsyncSession, *, patient_id: uuid.UUID, link_id: uuid.UUID) -> None:
    """The patient ends a link: an accepted one ends (the counsellor's access stops at once), a
    proposal counts as declined; a link already closed stays as it is."""
    now = utcnow()
    await session.execute(
        update(job_support_link_table)
        .where(_js.id == link_id, _js.patient_id == patient_id, _js.status == "accepted")
        .values(status="ended", ended_at=now)
    )
    await session.execute(
        update(job_support_link_table)
        .where(_js.id == link_id, _js.patient_id == patient_id, _js.status == "proposed")
        .values(status="declined", responded_at=now)
    )
    found = await session.scalar(
        select(_js.id).where(_js.id == link_id, _js.patient_id == patient_id)
    )
    if found is None:
        await session.rollback()
        raise link_not_found()
    await session.commit()
