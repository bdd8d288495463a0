"""Every table model, imported in one place so Alembic and the tests see complete metadata."""

from app.accounts.models import User
from app.auth.models import AuthSession, RefreshToken
from app.care.models import CareLink, Invitation
from app.core.db import metadata
from app.exercises.models import AssignmentDose, ExerciseAssignment, ExerciseLog

__all__ = [
    "AssignmentDose",
    "AuthSession",
    "CareLink",
    "ExerciseAssignment",
    "ExerciseLog",
    "Invitation",
    "RefreshToken",
    "User",
    "metadata",
]
