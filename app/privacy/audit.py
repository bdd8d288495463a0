"""The one mechanism that logs therapist reads of patient data.

`LinkedPatient` (and any list of several patients' data) calls `note_access` on the request,
and routes whose answer names its patients take `AuditPatientReads` (app/privacy/deps.py);
this pure ASGI middleware then holds the successful answer back, appends one access-log row
per patient read (how many records, which kind, the request id) through the request's own
database session (still open while the answer is being sent) and only then sends it. If the
log cannot be written the data is not sent: the client gets a 500 instead.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.care.access import linked_patient_ids
from app.core.middleware import STATE_CLIENT_REQUEST_ID
from app.privacy.service import AccessRecord, append_access

_STATE_KEY = "patient_access"
_SESSION_KEY = "patient_access_session"
_FROM_BODY_KEY = "patient_access_from_body"
_EVERY_LINKED_KEY = "patient_access_every_linked"


@dataclass(frozen=True, slots=True)
class PendingAccess:
    patient_id: uuid.UUID
    reader_id: uuid.UUID
    reader_role: str
    reader_name: str
    kind: str | None
    records: int | None = None
    reason: str = "care_link"


def note_access(
    request: Request,
    *,
    session: AsyncSession,
    patient_ids: list[uuid.UUID],
    reader_id: uuid.UUID,
    reader_role: str,
    reader_name: str,
    kind: str | None = None,
    reason: str = "care_link",
) -> None:
    """Ask for these reads to be logged, in this session, if the request succeeds."""
    state = request.scope.setdefault("state", {})
    state[_SESSION_KEY] = session
    pending: list[PendingAccess] = state.setdefault(_STATE_KEY, [])
    pending.extend(
        PendingAccess(pid, reader_id, reader_role, reader_name, kind, reason=reason)
        for pid in patient_ids
    )


def note_access_from_answer(
    request: Request,
    *,
    session: AsyncSession,
    reader_id: uuid.UUID,
    reader_role: str,
    reader_name: str,
    kind: str | None = None,
    every_linked: bool = False,
    reason: str = "care_link",
) -> None:
    """Log one row per patient whose `patient_id` appears in the successful answer; with
    `every_linked`, also a row (0 records) for each other patient the reader is linked to,
    whose data the request looked at without showing it (a filter that left them out)."""
    state = request.scope.setdefault("state", {})
    state[_SESSION_KEY] = session
    state[_FROM_BODY_KEY] = (reader_id, reader_role, reader_name, kind, reason)
    if every_linked:
        state[_EVERY_LINKED_KEY] = True


def _from_answer(scope: Scope, body: bytes) -> list[PendingAccess]:
    reader_id, reader_role, reader_name, named_kind, reason = scope["state"][_FROM_BODY_KEY]
    try:
        document: Any = json.loads(body) if body else None
    except ValueError:
        return []
    items = document.get("data") if isinstance(document, dict) else None
    records = items if isinstance(items, list) else [document]
    counts: dict[uuid.UUID, int] = {}
    for record in records:
        if isinstance(record, dict) and isinstance(record.get("patient_id"), str):
            patient_id = uuid.UUID(record["patient_id"])
            counts[patient_id] = counts.get(patient_id, 0) + 1
    kind = named_kind or next(
        (part for part in reversed(_route_path(scope).split("/")) if part and "{" not in part),
        "unknown",
    )
    return [
        PendingAccess(pid, reader_id, reader_role, reader_name, kind, n, reason)
        for pid, n in counts.items()
    ]


async def _looked_at(
    session: AsyncSession, state: dict[str, Any], shown: set[uuid.UUID]
) -> list[PendingAccess]:
    """The reader's linked patients not in the answer, each logged with 0 records."""
    reader_id, reader_role, reader_name, kind, reason = state[_FROM_BODY_KEY]
    linked: list[Any] = list(await session.scalars(linked_patient_ids(reader_id)))
    return [
        PendingAccess(pid, reader_id, reader_role, reader_name, kind, 0, reason)
        for pid in linked
        if pid not in shown
    ]


def _route_path(scope: Scope) -> str:
    route = scope.get("route")
    return str(getattr(route, "path", "") or scope.get("path", ""))


def _kind_from_route(scope: Scope) -> str:
    _, _, rest = _route_path(scope).partition("{patient_id}")
    return rest.strip("/") or "profile"


def _records(body: bytes, many: bool) -> int:
    if many:
        return 1
    try:
        document: Any = json.loads(body) if body else None
    except ValueError:
        return 1
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        return len(document["data"])
    return 1


class AccessAuditMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            state = scope.get("state", {})
            pending = state.get(_STATE_KEY)
            if not pending and _FROM_BODY_KEY not in state and not held:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                await self._release(scope, send, held, pending or [])

        await self.app(scope, receive, hold)

    async def _release(
        self, scope: Scope, send: Send, held: list[Message], pending: list[PendingAccess]
    ) -> None:
        if not pending and _FROM_BODY_KEY not in scope.get("state", {}):
            for message in held:
                await send(message)
            return
        status = held[0].get("status", 500)
        if 200 <= status < 300:
            body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
            state = scope.get("state", {})
            session: AsyncSession = state[_SESSION_KEY]
            if _FROM_BODY_KEY in state:
                pending = [*pending, *_from_answer(scope, body)]
            if state.get(_EVERY_LINKED_KEY):
                shown = {item.patient_id for item in pending}
                pending = [*pending, *await _looked_at(session, state, shown)]
            many = len(pending) > 1
            entries = [
                AccessRecord(
                    patient_id=item.patient_id,
                    reader_id=item.reader_id,
                    reader_role=item.reader_role,
                    reader_name=item.reader_name,
                    kind=item.kind or _kind_from_route(scope),
                    records=item.records if item.records is not None else _records(body, many),
                    reason=item.reason,
                )
                for item in pending
            ]
            # Raises on failure: the request middleware then answers a 500 and nothing leaks.
            connection = await session.connection()
            await append_access(
                connection,
                entries=entries,
                request_id=str(state.get("request_id", "")),
                client_request_id=state.get(STATE_CLIENT_REQUEST_ID),
            )
            await session.commit()
        for message in held:
            await send(message)
