"""Plain helpers that make users and log them in; tests then speak only HTTP."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import Role
from app.accounts.schemas import UserCreate
from app.care import service as care
from app.care.schemas import CareLinkCreate
from app.core.deps import Services
from app.core.time import utcnow
from app.jobsupport.models import job_support_link_table

T = TypeVar("T")
_counter = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass
class Actor:
    id: uuid.UUID
    email: str
    password: str
    role: Role
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class Api:
    """A test client plus ways to set up accounts quickly."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    @property
    def services(self) -> Services:
        services: Services = self.client.app.state.services  # type: ignore[attr-defined]
        return services

    def db(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work` with a session on the app's own event loop and engine."""

        async def runner() -> T:
            async with self.services.sessions() as session:
                return await work(session)

        assert self.client.portal is not None, "use the client inside its `with` block"
        return self.client.portal.call(runner)

    def login(self, email: str, password: str) -> dict[str, Any]:
        response = self.client.post(
            "/v1/auth/token", data={"username": email, "password": password}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def user(
        self,
        role: Role,
        *,
        email: str | None = None,
        password: str = PASSWORD,
        timezone: str = "Europe/Oslo",
        locale: str = "nb",
        name: str | None = None,
    ) -> Actor:
        n = next(_counter)
        # Unique across test workers too (throttle counters in Redis are shared by all).
        email = email or f"{role.value}{n}.{uuid.uuid4().hex[:8]}@clinic.example.com"
        data = UserCreate(
            email=email,
            password=password,
            display_name=name or f"{role.value.title()} {n}",
            timezone=timezone,
            locale=locale,  # type: ignore[arg-type]
        )
        created = self.db(
            lambda s: accounts.create_user(s, hasher=self.services.hasher, data=data, role=role)
        )
        tokens = self.login(email, password)
        return Actor(
            created.id, email, password, role, tokens["access_token"], tokens["refresh_token"]
        )

    def admin(self) -> Actor:
        return self.user(Role.admin)

    def therapist(self, **kwargs: Any) -> Actor:
        return self.user(Role.therapist, **kwargs)

    def patient(self, therapist: Actor | None = None, **kwargs: Any) -> Actor:
        """A patient, linked to `therapist` when one is given."""
        patient = self.user(Role.patient, **kwargs)
        if therapist is not None:
            self.link(patient, therapist)
        return patient

    def counsellor(self, **kwargs: Any) -> Actor:
        return self.user(Role.job_counsellor, **kwargs)

    def job_support(
        self, patient: Actor, counsellor: Actor, *, status: str = "accepted"
    ) -> uuid.UUID:
        """A job-support link in `status` (accepted: the counsellor sees the work side)."""
        link_id = uuid.uuid4()

        async def work(session: AsyncSession) -> None:
            now = utcnow()
            await session.execute(
                job_support_link_table.insert().values(
                    id=link_id,
                    patient_id=patient.id,
                    counsellor_id=counsellor.id,
                    status=status,
                    created_at=now,
                    responded_at=None if status == "proposed" else now,
                )
            )
            await session.commit()

        self.db(work)
        return link_id

    def link(self, patient: Actor, therapist: Actor) -> None:
        data = CareLinkCreate(patient_id=patient.id, therapist_id=therapist.id)
        self.db(lambda s: care.link_patient(s, data=data))
