"""Pure ASGI middleware: request id, security headers, metrics, a log line, the last-resort 500."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.logging import request_id_var
from app.core.metrics import HttpMetrics

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
MAX_BODY_BYTES = 64 * 1024
log = logging.getLogger("mestring.http")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    """Wraps every HTTP request; it never lets a stack trace reach the client."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _SANE_ID.match(incoming) else uuid.uuid4().hex
        request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        private = scope["path"].startswith("/v1/")
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                if private:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            declared = _header(scope, b"content-length")
            if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                await _send_json(send_wrapper, 413, _too_large())
            elif b"%00" in scope.get("query_string", b"") or "\x00" in scope["path"]:
                await _send_json(send_wrapper, 422, _nul_body())
            else:
                await self.app(scope, _limited(receive), send_wrapper)
        except Exception:
            log.exception("unhandled error")
            if not status_holder["started"]:
                await _send_500(send_wrapper, request_id)
        finally:
            template = _route_template(scope)
            seconds = time.perf_counter() - started
            status = int(status_holder["status"])
            self.metrics.observe(scope["method"], template, status, seconds)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": template,
                    "status": status,
                    "ms": round(seconds * 1000, 1),
                },
            )


# PostgreSQL text cannot hold NUL, and no field of ours has a use for it: refuse it up front,
# whether raw, JSON-escaped or percent-encoded, in the body or the query string.
_NUL_FORMS = (b"\x00", b"\\u0000", b"%00")
_NUL_TAIL = 5


def _nul_error() -> HTTPException:
    return HTTPException(422, "The request contains a NUL character.")


def _nul_body() -> dict[str, Any]:
    issue = {"loc": ["query"], "msg": "NUL characters are not allowed.", "type": "nul_character"}
    return {"detail": [issue], "code": "validation_error"}


def _too_large() -> dict[str, Any]:
    return {"detail": "The request body is larger than 64 KiB.", "code": "payload_too_large"}


def _limited(receive: Receive) -> Receive:
    """Stop reading a body past the size limit, or one that carries a NUL character."""
    received = 0
    tail = b""

    async def wrapper() -> Message:
        nonlocal received, tail
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > MAX_BODY_BYTES:
                # An HTTPException, so FastAPI re-raises it and the handler renders a 413.
                raise HTTPException(413, _too_large()["detail"])
            window = (tail + chunk).lower()
            if any(form in window for form in _NUL_FORMS):
                raise _nul_error()
            tail = window[-_NUL_TAIL:]
        return message

    return wrapper


def _route_template(scope: Scope) -> str:
    """`/v1/patients/{patient_id}` rather than the raw path (no ids in metrics or logs)."""
    if "route" not in scope:
        return "unmatched"
    path = str(scope["path"])
    for name, value in scope.get("path_params", {}).items():
        path = path.replace(f"/{value}", "/{" + name + "}", 1)
    return path


async def _send_500(send: Send, request_id: str) -> None:
    body: dict[str, Any] = {
        "detail": "Internal server error.",
        "code": "internal_error",
        "request_id": request_id,
    }
    await _send_json(send, 500, body)


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
