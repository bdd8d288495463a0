"""The one answer to "may this therapist see this patient?": an active care link, checked in SQL.

Therapist routes under /v1/patients/{patient_id} take the `LinkedPatient` dependency
(app/care/deps.py), which calls `ensure_linked` and hands the service a `PatientScope`; lists
across patients filter on `linked_patient_ids`. What may not be seen is a 404, exactly like
what does not exist.

The one exception to the care link: a risk alert nobody acknowledged in time is *escalated*,
and every therapist marked `on_call` may then see that alert (and only the patient's escalated
alerts), with the read logged under the reason `risk_escalation` (`ensure_alert_reader`,
`escalated_alerts`).

The work side (RTW plan, work diary and summaries, employment, joint meetings, employer
contacts, work goals, dialogue meetings, the barriers check's workplace domain, the
communication plan when shared) has a second door: a job counsellor reaches it only while the
patient's job-support link to them is `accepted` (`ensure_work_side`, used by `WorkSidePatient`
in app/care/deps.py; reason `job_support`); what part of a shared record a counsellor sees is
decided here too (`counsellor_reads`, `ensure_shared_with_counsellor`). A counsellor reaches
nothing else of anyone: every other patient route takes a therapist-only dependency and answers
a counsellor 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Select, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role, user_table
from app.care.models import care_link_table
from app.core.errors import Forbidden, NotFound
from app.jobsupport.models import job_support_link_table
from app.measures.models import risk_alert_table

_cl = care_link_table.c
_js = job_support_link_table.c
_ra = risk_alert_table.c
_u = user_table.c

AccessReason = Literal["care_link", "risk_escalation", "job_support"]


@dataclass(frozen=True, slots=True)
class PatientScope:
    """Proof that `therapist_id` may read `patient_id` now; only this module makes one.

    `reason` is the ground: an active care link, (for escalated risk alerts only) being on
    call, or (the work side only) an accepted job-support link; in that last case the reader
    in `therapist_id` is the job counsellor (`reader_id` says so without the misnomer).
    """

    therapist_id: uuid.UUID
    patient_id: uuid.UUID
    reason: AccessReason = "care_link"
    reader_role: Role = Role.therapist

    @property
    def reader_id(self) -> uuid.UUID:
        """The staff member reading: a therapist, or a job counsellor (reason `job_support`)."""
        return self.therapist_id


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


async def ensure_work_side(
    session: AsyncSession, *, reader_id: uuid.UUID, reader_role: Role, patient_id: uuid.UUID
) -> PatientScope:
    """The scope for the patient's work side: a therapist by active care link, a job counsellor
    by an accepted job-support link; anyone else, or no link, the patient 404."""
    if reader_role is Role.therapist:
        return await ensure_linked(session, therapist_id=reader_id, patient_id=patient_id)
    if reader_role is Role.job_counsellor:
        found = await session.scalar(
            select(_js.id).where(
                _js.patient_id == patient_id,
                _js.counsellor_id == reader_id,
                _js.status == "accepted",
            )
        )
        if found is not None:
            return PatientScope(
                therapist_id=reader_id,
                patient_id=patient_id,
                reason="job_support",
                reader_role=Role.job_counsellor,
            )
    raise patient_not_found()


def counsellor_reads(scope: PatientScope) -> bool:
    """The reader is a job counsellor (the work side's second door): the record's therapy part
    is left out (the barriers check: its workplace domain only)."""
    return scope.reason == "job_support"


def ensure_shared_with_counsellor(scope: PatientScope, *, shared: bool) -> None:
    """The communication plan reaches a job counsellor only while the patient shares it with
    them (`share_with_job_counsellor`); otherwise the one patient 404."""
    if counsellor_reads(scope) and not shared:
        raise patient_not_found()


def escalated_alerts(overdue_before: datetime) -> ColumnElement[bool]:
    """Risk alerts every on-call therapist may see: unacknowledged, opened before the limit."""
    return and_(_ra.acknowledged_at.is_(None), _ra.created_at < overdue_before)


async def ensure_on_call(session: AsyncSession, *, therapist_id: uuid.UUID) -> None:
    """403 unless an admin has marked this therapist as on call."""
    if not await session.scalar(select(_u.on_call).where(_u.id == therapist_id)):
        raise Forbidden("Only therapists on call see escalated risk alerts.", code="not_on_call")


async def ensure_alert_reader(
    session: AsyncSession,
    *,
    therapist_id: uuid.UUID,
    patient_id: uuid.UUID,
    overdue_before: datetime,
) -> PatientScope:
    """The scope for this patient's risk alerts: by care link, else by escalation (on call,
    with an overdue alert of theirs), else the patient 404 (one statement)."""
    linked = exists().where(
        _cl.patient_id == patient_id, _cl.therapist_id == therapist_id, _cl.ended_at.is_(None)
    )
    on_call = exists().where(_u.id == therapist_id, _u.on_call.is_(True))
    overdue = exists().where(_ra.patient_id == patient_id, escalated_alerts(overdue_before))
    row = (
        await session.execute(
            select(linked.label("linked"), and_(on_call, overdue).label("escalated"))
        )
    ).one()
    if row.linked:
        return PatientScope(therapist_id=therapist_id, patient_id=patient_id)
    if row.escalated:
        return PatientScope(
            therapist_id=therapist_id, patient_id=patient_id, reason="risk_escalation"
        )
    raise patient_not_found()


def alert_not_found() -> NotFound:
    """The single 404 for a risk alert the caller may not see or that does not exist."""
    return NotFound("Risk alert not found.", code="risk_alert_not_found")


async def ensure_alert_access(
    session: AsyncSession,
    *,
    therapist_id: uuid.UUID,
    alert_id: uuid.UUID,
    overdue_before: datetime,
) -> PatientScope:
    """The scope for acting on one alert: its patient's care link, or being on call while the
    alert is escalated; otherwise the alert 404 (one statement)."""
    linked = exists().where(
        _cl.patient_id == _ra.patient_id, _cl.therapist_id == therapist_id, _cl.ended_at.is_(None)
    )
    on_call = exists().where(_u.id == therapist_id, _u.on_call.is_(True))
    row = (
        await session.execute(
            select(
                _ra.patient_id,
                linked.label("linked"),
                and_(on_call, escalated_alerts(overdue_before)).label("escalated"),
            ).where(_ra.id == alert_id)
        )
    ).first()
    if row is not None and row.linked:
        return PatientScope(therapist_id=therapist_id, patient_id=row.patient_id)
    if row is not None and row.escalated:
        return PatientScope(
            therapist_id=therapist_id, patient_id=row.patient_id, reason="risk_escalation"
        )
    raise alert_not_found()
