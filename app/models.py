"""Every table model, imported in one place so Alembic and the tests see complete metadata."""

from app.accounts.models import User
from app.auth.models import AuthSession, RefreshToken
from app.care.models import CareLink, Invitation
from app.core.db import metadata
from app.mfa.models import MfaFactor, MfaRecoveryCode
from app.privacy.models import AccessLogEntry, Consent
from app.throttle.models import RateCounter
from app.work.models import RtwPlan, RtwPlanVersion, WorkDiaryEntry

__all__ = [
    "AccessLogEntry",
    "AuthSession",
    "CareLink",
    "Consent",
    "Invitation",
    "MfaFactor",
    "MfaRecoveryCode",
    "RateCounter",
    "RefreshToken",
    "RtwPlan",
    "RtwPlanVersion",
    "User",
    "WorkDiaryEntry",
    "metadata",
]
