"""Stores the answer of a request that claimed an Idempotency-Key, before it is sent."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.idempotency.deps import STATE_ROW, STATE_SESSION
from app.idempotency.service import record_answer, release


class IdempotencyMiddleware:
    """Pure ASGI: holds a successful answer for a claimed key, stores it, then sends it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            row_id: uuid.UUID | None = scope.get("state", {}).get(STATE_ROW)
            if row_id is None:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                status = int(held[0]["status"])
                session: AsyncSession = scope["state"][STATE_SESSION]
                if 200 <= status < 300:
                    body = b"".join(m.get("body", b"") for m in held[1:])
                    await record_answer(
                        session, row_id=row_id, status_code=status, body=body.decode()
                    )
                else:
                    # A failed request leaves no key behind, so the client may retry it.
                    await release(session, row_id=row_id)
                for item in held:
                    await send(item)

        await self.app(scope, receive, hold)
