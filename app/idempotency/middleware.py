"""Writes the answer of a request that claimed an Idempotency-Key, then commits, then sends."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.idempotency.deps import STATE_PENDING, PendingKey
from app.idempotency.service import record_answer


class IdempotencyMiddleware:
    """Pure ASGI: holds the answer of a claimed key back until it is stored with the data.

    The request's commits were held since the claim; a 2xx answer is written onto the key row
    and the one transaction (data, access log, key and answer) is committed before a byte is
    sent. Any other answer rolls all of it back, the claim included, so the client may retry.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            pending: PendingKey | None = scope.get("state", {}).get(STATE_PENDING)
            if pending is None:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                status = int(held[0]["status"])
                if 200 <= status < 300:
                    body = b"".join(m.get("body", b"") for m in held[1:])
                    await record_answer(
                        pending.session,
                        row_id=pending.row_id,
                        status_code=status,
                        body=body.decode(),
                        box=pending.box,
                    )
                    await pending.session.finish_hold(commit=True)
                else:
                    await pending.session.finish_hold(commit=False)
                for item in held:
                    await send(item)

        await self.app(scope, receive, hold)
