"""`ThrottleDep`: the process's shared-counter backend; `RegistrationAttempt`: the
per-address count of registrations, as a route-level dependency that runs (and commits)
before anything else of the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.core.deps import ClientAddress, SessionDep, SettingsDep
from app.throttle.service import Throttle, admit, registration_window


async def _throttle(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


ThrottleDep = Annotated[Throttle, Depends(_throttle)]


async def _registration_attempt(
    session: SessionDep, settings: SettingsDep, throttle: ThrottleDep, client: ClientAddress
) -> None:
    # Every attempt counts, so invitation codes cannot be guessed at speed from one address.
    await admit(
        throttle,
        session,
        registration_window(settings),
        client,
        code="registration_throttled",
        detail="Too many registrations from here; try again later.",
    )


RegistrationAttempt = Depends(_registration_attempt)
