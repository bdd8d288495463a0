"""Who may read outcome reports: an admin (any caseload), a therapist (their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.models import Role
from app.auth.deps import CurrentUser, Principal
from app.core.errors import Forbidden

REPORT_ROLES = frozenset({Role.admin, Role.therapist})


async def _report_reader(user: CurrentUser) -> Principal:
    if user.role not in REPORT_ROLES:
        raise Forbidden()
    return user


ReportReader = Annotated[Principal, Depends(_report_reader)]
