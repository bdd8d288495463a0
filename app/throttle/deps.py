"""`ThrottleDep`: the process's shared-counter backend (database or Redis)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.throttle.service import Throttle


async def _throttle(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


ThrottleDep = Annotated[Throttle, Depends(_throttle)]
