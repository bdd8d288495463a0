"""`Location` on a 201 whose new resource has a URL, on the first answer and on every replay.

A route declares the URL template with `openapi_extra={LOCATION: "/v1/assignments/{id}"}`; the
fields come from the answer's JSON body. The header is added here, outside the app, so the
stored answer replayed for a repeated `Idempotency-Key` (status and body only) carries it too.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCATION = "x-location"  # the openapi_extra key; the contract shows it as a Location header


def location_template(route: Any) -> str | None:
    """The route's URL template for what it creates, if it declared one."""
    extra = getattr(route, "openapi_extra", None) or {}
    template = extra.get(LOCATION)
    return template if isinstance(template, str) else None


class LocationMiddleware:
    """Pure ASGI: holds a 201 of a route with a URL template until its body names the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT"}:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            if not held and message["type"] == "http.response.start":
                template = location_template(scope.get("route"))
                if message["status"] != 201 or template is None:
                    await send(message)
                    return
                held.append(message)
                return
            if not held:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                body = b"".join(m.get("body", b"") for m in held[1:])
                start = dict(held[0])
                template = location_template(scope.get("route"))
                try:
                    url = (template or "").format_map(json.loads(body))
                except (ValueError, KeyError, TypeError):
                    url = None
                if url:
                    start["headers"] = [*start.get("headers", []), (b"location", url.encode())]
                await send(start)
                for item in held[1:]:
                    await send(item)

        await self.app(scope, receive, hold)
