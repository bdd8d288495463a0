"""`IdempotencyGuard` / `IdempotentPublic`: the Idempotency-Key check for creating POSTs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from app.auth.deps import EnrollingUser
from app.core.deps import SessionDep
from app.core.errors import StoredResponse
from app.idempotency.service import StoredAnswer, claim, fingerprint

STATE_ROW = "idempotency_row"
STATE_SESSION = "idempotency_session"

KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern="^[!-~]+$",  # visible ASCII
        description="Any unique string; a retry with the same key gets the first answer again.",
    ),
]


async def _guard(request: Request, session: SessionDep, owner: str, key: str) -> None:
    body = await request.body()
    outcome = await claim(
        session,
        owner=owner,
        key=key,
        request_fingerprint=fingerprint(request.method, request.url.path, body),
    )
    if isinstance(outcome, StoredAnswer):
        raise StoredResponse(outcome.status_code, outcome.body)
    state = request.scope.setdefault("state", {})
    state[STATE_ROW] = outcome
    state[STATE_SESSION] = session


async def _idempotent(
    request: Request, session: SessionDep, user: EnrollingUser, idempotency_key: KeyHeader = None
) -> None:
    # Only the caller's id matters here; the route's own dependency decides what they may do
    # (EnrollingUser shares its one database read with CurrentUser and the role aliases).
    if idempotency_key:
        await _guard(request, session, str(user.id), idempotency_key)


async def _idempotent_public(
    request: Request, session: SessionDep, idempotency_key: KeyHeader = None
) -> None:
    if idempotency_key:
        # No caller to scope by: the owner is the request itself, so only the same body
        # (including its password) can ever see the stored answer.
        body = await request.body()
        owner = "anon:" + fingerprint(request.method, request.url.path, body)[:60]
        await _guard(request, session, owner, idempotency_key)


# A handler parameter placed right after the route's own access dependency (CurrentPatient,
# LinkedPatient, …), so a stored answer is only replayed to a caller who may still see it.
IdempotencyGuard = Annotated[None, Depends(_idempotent)]
# Route-level, for anonymous creating POSTs (registration).
IdempotentPublic = Depends(_idempotent_public)
