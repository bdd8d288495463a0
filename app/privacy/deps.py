"""`AuditPatientReads`: route-level marker for therapist answers that carry `patient_id`s."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from app.auth.deps import CurrentUser
from app.core.deps import SessionDep
from app.privacy.audit import note_access_from_answer


def audit_patient_reads(
    kind: str | None = None, filters: tuple[str, ...] = (), reason: str = "care_link"
) -> Any:
    """A route-level dependency logging every patient named in the answer (as `kind`, or the
    route's last literal path segment), with the ground the reader had (`reason`). When any
    query parameter in `filters` is given, every patient linked to the reader is logged too
    (0 records): the filter looked at their data, and even an empty answer says something
    about them."""

    async def dependency(request: Request, user: CurrentUser, session: SessionDep) -> None:
        note_access_from_answer(
            request,
            session=session,
            reader_id=user.id,
            reader_role=user.role,
            reader_name=user.display_name,
            kind=kind,
            every_linked=any(name in request.query_params for name in filters),
            reason=reason,
        )

    return Depends(dependency)


# For routes that read patients' data without a {patient_id} in the path (lists across
# patients, objects addressed by their own id): every patient named in the answer is logged.
AuditPatientReads = audit_patient_reads()
