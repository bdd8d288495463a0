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
from app.checkins.models import Checkin
from app.core.db import metadata
from app.devices.models import Device
from app.exercises.models import AssignmentDose, ExerciseAssignment, ExerciseLog
from app.idempotency.models import IdempotencyKey
from app.instruments.models import QuestionnaireVersion
from app.jobsupport.models import EmployerContact, Employment, JobSupportLink, JointMeeting
from app.measures.models import MeasureResponse, MeasureSchedule, RiskAlert
from app.mfa.models import MfaFactor, MfaRecoveryCode
from app.privacy.models import AccessLogEntry, Consent, ErasureReceipt
from app.reminders.models import PushOutbox, ReminderSettings, SentReminder
from app.sync.models import SyncChange
from app.throttle.models import RateCounter
from app.work.models import RtwPlan, RtwPlanVersion, WorkDiaryEntry
from app.workfocus.models import (
    BarrierCheck,
    CommunicationPlan,
    CommunicationPlanVersion,
    CommunicationSuggestion,
    DialogueMeeting,
    WorkGoal,
)

__all__ = [
    "AccessLogEntry",
    "AssignmentDose",
    "AuthSession",
    "BarrierCheck",
    "BoosterRequest",
    "BoosterRequestEvent",
    "BoosterRuleOverride",
    "CareLink",
    "Checkin",
    "CommunicationPlan",
    "CommunicationPlanVersion",
    "CommunicationSuggestion",
    "Consent",
    "Device",
    "DialogueMeeting",
    "EmployerContact",
    "Employment",
    "ErasureReceipt",
    "ExerciseAssignment",
    "ExerciseLog",
    "FollowUp",
    "IdempotencyKey",
    "Invitation",
    "JobSupportLink",
    "JointMeeting",
    "MeasureResponse",
    "MeasureSchedule",
    "MfaFactor",
    "MfaRecoveryCode",
    "PushOutbox",
    "QuestionnaireVersion",
    "RateCounter",
    "RefreshToken",
    "ReminderSettings",
    "RiskAlert",
    "RtwCompletion",
    "RtwPlan",
    "RtwPlanVersion",
    "SentReminder",
    "SyncChange",
    "User",
    "WorkDiaryEntry",
    "WorkGoal",
    "metadata",
]
