"""The Idempotency-Key check for creating POSTs, in three flavours.

- `IdempotencyGuard`: a retry gets the stored answer (the usual case).
- `SealedIdempotencyGuard`: the answer carries a one-time secret (an invitation code); it is
  stored encrypted and replayed for `SEALED_ANSWER_LIFETIME` only, then a retry gets 409
  `idempotency_answer_expired`.
- `UnstoredIdempotencyKey`: the answer is a secret that must not be kept at all (TOTP set-up);
  the header is accepted and nothing is stored, because repeating the request is itself safe.
- `IdempotentPublic` (route-level): anonymous registration, keyed by the email.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Annotated

from cryptography.fernet import Fernet
from fastapi import Depends, Header, Request

from app.auth.deps import EnrollingUser
from app.core.db import AppSession
from app.core.deps import SessionDep, SettingsDep
from app.core.errors import StoredResponse
from app.idempotency.service import StoredAnswer, anonymous_owner, answer_box, claim, fingerprint

STATE_PENDING = "idempotency_pending"

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
UnstoredKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern="^[!-~]+$",
        description=(
            "Accepted for uniformity, but the answer is a secret and is never stored: a retry "
            "runs the request again, which is safe here (it replaces what the first one did)."
        ),
    ),
]


@dataclass(frozen=True, slots=True)
class PendingKey:
    """A claimed key whose answer IdempotencyMiddleware writes before the one real commit."""

    row_id: uuid.UUID
    session: AppSession
    box: Fernet | None  # set when the answer is to be stored encrypted


async def _guard(
    request: Request, session: AppSession, secret_key: str, owner: str, key: str, sealed: bool
) -> None:
    body = await request.body()
    box = answer_box(secret_key)
    outcome = await claim(
        session,
        owner=owner,
        key=key,
        request_fingerprint=fingerprint(secret_key, request.method, request.url.path, body),
        box=box,
    )
    if isinstance(outcome, StoredAnswer):
        raise StoredResponse(outcome.status_code, outcome.body)
    await session.hold_commits()
    request.scope.setdefault("state", {})[STATE_PENDING] = PendingKey(
        outcome, session, box if sealed else None
    )


def _guard_for(*, sealed: bool) -> object:
    async def dependency(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        user: EnrollingUser,
        idempotency_key: KeyHeader = None,
    ) -> None:
        # Only the caller's id matters here; the route's own dependency decides what they may
        # do (EnrollingUser shares its one database read with CurrentUser and the role aliases).
        if idempotency_key:
            secret = settings.resolved_secret_key()
            await _guard(request, session, secret, str(user.id), idempotency_key, sealed)

    return Depends(dependency)


async def _unstored(idempotency_key: UnstoredKeyHeader = None) -> None:
    return None


async def _idempotent_public(
    request: Request, session: SessionDep, settings: SettingsDep, idempotency_key: KeyHeader = None
) -> None:
    if not idempotency_key:
        return
    secret = settings.resolved_secret_key()
    body = await request.body()
    try:
        email = json.loads(body).get("email")
    except (ValueError, AttributeError, UnicodeDecodeError):
        email = None
    if not isinstance(email, str):
        return  # the body will fail validation; nothing to claim
    await _guard(request, session, secret, anonymous_owner(secret, email), idempotency_key, False)


# A handler parameter placed right after the route's own access dependency (CurrentPatient,
# LinkedPatient, …), so a stored answer is only replayed to a caller who may still see it.
IdempotencyGuard = Annotated[None, _guard_for(sealed=False)]
SealedIdempotencyGuard = Annotated[None, _guard_for(sealed=True)]
UnstoredIdempotencyKey = Annotated[None, Depends(_unstored)]
# Route-level, for anonymous creating POSTs (registration).
IdempotentPublic = Depends(_idempotent_public)
