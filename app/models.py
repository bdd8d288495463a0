"""Every table model, imported in one place so Alembic and the tests see complete metadata."""

from app.accounts.models import User
from app.auth.models import AuthSession, RefreshToken
from app.care.models import CareLink, Invitation
from app.core.db import metadata
from app.work.models import RtwPlan, RtwPlanVersion, WorkDiaryEntry

__all__ = [
    "AuthSession",
    "CareLink",
    "Invitation",
    "RefreshToken",
    "RtwPlan",
    "RtwPlanVersion",
    "User",
    "WorkDiaryEntry",
    "metadata",
]
