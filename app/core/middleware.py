"""Pure ASGI middleware: request id, client address, security headers, metrics, a log line, the
NUL and size guards, and the last-resort answers (503 when the database is out, else 500)."""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import database_unavailable
from app.core.logging import request_id_var
from app.core.metrics import HttpMetrics

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
MAX_BODY_BYTES = 64 * 1024
STATE_CLIENT = "client_address"
STATE_CLIENT_REQUEST_ID = "client_request_id"
log = logging.getLogger("mestring.http")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_FIXED_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as written in X-Forwarded-For or by the server (port and brackets dropped)."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def resolve_client(peer: str | None, forwarded: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    right-most X-Forwarded-For address that is not itself a trusted proxy (what a client writes
    into the header itself sits further left and is never believed)."""
    if peer is None:
        return "unknown"
    peer_ip = _ip(peer)
    if peer_ip is None or not any(peer_ip in network for network in trusted):
        return peer
    hops = [hop for value in forwarded for hop in value.split(",") if hop.strip()]
    nearest = str(peer_ip)
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:  # garbage from a trusted hop: believe no further than that hop
            return nearest
        if not any(address in network for network in trusted):
            return str(address)
        nearest = str(address)
    return nearest


def client_address_of(scope: Scope) -> str:
    """The address RequestContextMiddleware worked out for this request."""
    state = scope.get("state", {})
    found = state.get(STATE_CLIENT)
    if isinstance(found, str):
        return found
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RequestContextMiddleware:
    """Wraps every HTTP request; it never lets a stack trace reach the client."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: HttpMetrics,
        trusted_proxies: Sequence[Network] = (),
        hsts_seconds: int = 0,
        db_retry_after: int = 5,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.trusted = tuple(trusted_proxies)
        self.db_retry_after = db_retry_after
        self.headers = list(_FIXED_HEADERS)
        if hsts_seconds > 0:
            self.headers.append((b"strict-transport-security", f"max-age={hsts_seconds}".encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Our own id always; a client's X-Request-ID is kept beside it, never instead of it.
        request_id = uuid.uuid4().hex
        incoming = _header(scope, b"x-request-id")
        client_request_id = incoming if incoming and _SANE_ID.match(incoming) else None
        request_id_var.set(request_id)
        client = scope.get("client")
        peer = client[0] if client else None
        if self.trusted:
            forwarded = [
                value.decode("latin-1")
                for key, value in scope.get("headers", [])
                if key == b"x-forwarded-for"
            ]
            address = resolve_client(peer, forwarded, self.trusted)
        else:  # no proxy is believed: the peer, as resolve_client answers (without parsing it)
            address = "unknown" if peer is None else peer
        state = scope.setdefault("state", {})
        state.update(
            request_id=request_id,
            **{STATE_CLIENT: address, STATE_CLIENT_REQUEST_ID: client_request_id},
        )
        private = scope["path"].startswith("/v1/")
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(item for item in self.headers if item[0] not in present)
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", b"frame-ancestors 'none'"))
                if private:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            declared = _header(scope, b"content-length")
            query = scope.get("query_string", b"")
            if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                await _send_json(send_wrapper, 413, _too_large())
            elif b"%00" in query or b"\x00" in query or "\x00" in scope["path"]:
                await _send_json(send_wrapper, 422, _nul_body())
            else:
                form = (
                    (_header(scope, b"content-type") or "")
                    .lower()
                    .startswith("application/x-www-form-urlencoded")
                )
                await self.app(scope, _limited(receive, form=form), send_wrapper)
        except Exception as exc:
            if database_unavailable(exc):
                log.warning("database unavailable", extra={"error": type(exc).__name__})
                if not status_holder["started"]:
                    await _send_503(send_wrapper, request_id, self.db_retry_after)
            else:
                log.exception("unhandled error")
                if not status_holder["started"]:
                    await _send_500(send_wrapper, request_id)
        finally:
            template = _route_template(scope)
            seconds = time.perf_counter() - started
            status = int(status_holder["status"])
            self.metrics.observe(scope["method"], template, status, seconds)
            extra: dict[str, Any] = {
                "method": scope["method"],
                "route": template,
                "status": status,
                "ms": round(seconds * 1000, 1),
                "client": address,
            }
            if client_request_id:
                extra["client_request_id"] = client_request_id
            log.info("request", extra=extra)


# PostgreSQL text cannot hold NUL, and no field of ours has a use for it: refuse the character
# itself, raw or JSON-escaped in a body, percent-encoded in a form body or the query string.
# The text "%00" inside a JSON string is just text ("100%00 sure") and passes.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _nul_error() -> HTTPException:
    return HTTPException(422, "The request contains a NUL character.")


def _nul_body() -> dict[str, Any]:
    issue = {"loc": ["query"], "msg": "NUL characters are not allowed.", "type": "nul_character"}
    return {"detail": [issue], "code": "validation_error"}


def _too_large() -> dict[str, Any]:
    return {"detail": "The request body is larger than 64 KiB.", "code": "payload_too_large"}


def _limited(receive: Receive, *, form: bool) -> Receive:
    """Stop reading a body past the size limit, or one that carries a NUL character."""
    body = bytearray()

    async def wrapper() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            body.extend(chunk)
            if len(body) > MAX_BODY_BYTES:
                # An HTTPException, so FastAPI re-raises it and the handler renders a 413.
                raise HTTPException(413, _too_large()["detail"])
            if b"\x00" in chunk:
                raise _nul_error()
            if not message.get("more_body"):  # whole body here (at most 64 KiB): scan it once
                escaped = b"%00" in body if form else _JSON_NUL.search(body) is not None
                if escaped:
                    raise _nul_error()
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


async def _send_503(send: Send, request_id: str, retry_after: int) -> None:
    body: dict[str, Any] = {
        "detail": "The database cannot be reached right now; try again shortly.",
        "code": "database_unavailable",
        "request_id": request_id,
    }
    await _send_json(send, 503, body, [(b"retry-after", str(retry_after).encode())])


async def _send_json(
    send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
