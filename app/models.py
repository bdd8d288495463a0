"""Every table model, imported in one place so Alembic and the tests see complete metadata."""

from app.accounts.models import User
from app.auth.models import AuthSession, RefreshToken
from app.boosters.models import (
    BoosterRequest,
    BoosterRequestEvent,
    BoosterRuleOverride,
    FollowUp,
    RtwCompletion,
)
from app.care.models import CareLink, Invitation
from app.checkins.models import Checkin, QuestionnaireVersion
from app.core.db import metadata

__all__ = [
    "AuthSession",
    "BoosterRequest",
    "BoosterRequestEvent",
    "BoosterRuleOverride",
    "CareLink",
    "Checkin",
    "FollowUp",
    "Invitation",
    "QuestionnaireVersion",
    "RefreshToken",
    "RtwCompletion",
    "User",
    "metadata",
]
