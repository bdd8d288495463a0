"""Demo data for `mestring seed-demo`: accounts to log in as; later domains add their records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.accounts.schemas import UserCreate
from app.boosters import queries, requests
from app.boosters.rule_service import default_params
from app.care import service as care
from app.care.schemas import CareLinkCreate
from app.checkins.demo import seed_checkins
from app.core.config import get_settings
from app.core.security import PasswordHasher
from app.core.time import utcnow
from app.exercises.demo import seed_homework
from app.jobsupport.demo import seed_job_support
from app.measures.demo import seed_measures
from app.work.demo import seed_work
from app.workfocus.demo import seed_work_focus


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    password: str
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount(Role.admin, "admin@demo.example.com", "demo-admin-pass", "Clinic Admin"),
    DemoAccount(
        Role.therapist, "therapist@demo.example.com", "demo-therapist-pass", "Tora Terapeut"
    ),
    DemoAccount(Role.patient, "patient@demo.example.com", "demo-patient-pass", "Per Pasient"),
    DemoAccount(
        Role.job_counsellor,
        "counsellor@demo.example.com",
        "demo-counsellor-pass",
        "Jonas Jobbkonsulent",
    ),
)


async def _ensure(session: AsyncSession, hasher: PasswordHasher, account: DemoAccount) -> User:
    existing = await accounts.find_by_email(session, email=account.email)
    if existing is not None:
        return existing
    data = UserCreate(
        email=account.email, password=account.password, display_name=account.display_name
    )
    return await accounts.create_user(session, hasher=hasher, data=data, role=account.role)


async def seed_demo(session: AsyncSession, *, hasher: PasswordHasher) -> list[DemoAccount]:
    """Create the demo admin, therapist, linked patient and the counsellor the patient accepted
    (again-safe); return their logins."""
    users = {account.role: await _ensure(session, hasher, account) for account in DEMO_ACCOUNTS}
    await care.link_patient(
        session,
        data=CareLinkCreate(
            patient_id=users[Role.patient].id, therapist_id=users[Role.therapist].id
        ),
    )
    patient = users[Role.patient]
    await seed_work(session, patient_id=patient.id, timezone=patient.timezone)
    await seed_homework(
        session, patient_id=users[Role.patient].id, therapist_id=users[Role.therapist].id
    )
    await seed_checkins(
        session,
        patient_id=patient.id,
        timezone=patient.timezone,
        defaults=default_params(get_settings()),
    )
    await seed_measures(
        session,
        patient_id=patient.id,
        therapist_id=users[Role.therapist].id,
        timezone=patient.timezone,
    )
    await seed_work_focus(
        session,
        patient_id=patient.id,
        therapist_id=users[Role.therapist].id,
        timezone=patient.timezone,
    )
    await seed_job_support(
        session,
        patient_id=patient.id,
        therapist_id=users[Role.therapist].id,
        counsellor_id=users[Role.job_counsellor].id,
        timezone=patient.timezone,
    )
    await _ensure_active_booster_request(session, patient_id=patient.id)
    return list(DEMO_ACCOUNTS)


async def _ensure_active_booster_request(session: AsyncSession, *, patient_id: uuid.UUID) -> None:
    """The demo patient always has a booster request waiting for the therapist (the console's
    worklist shows them flagged, and its browser test schedules it): opened here, as the
    patient would in the app, unless the seeded month already left one open or scheduled."""
    if await queries.read_active_request(session, patient_id=patient_id) is not None:
        return
    await requests.insert_open_request(
        session,
        patient_id=patient_id,
        source="patient",
        reason="Would like to talk about going back to full hours",
        preferred_times="Weekday mornings",
        actor_id=patient_id,
        actor_role="patient",
        now=utcnow(),
    )
    await session.commit()
