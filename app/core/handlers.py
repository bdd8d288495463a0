"""The one place errors become HTTP answers: `{"detail": ..., "code": ...}`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import AppError, StoredResponse

_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    body: dict[str, Any] = {"detail": exc.detail, "code": exc.code, **exc.extra}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers or None)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Keep where and why; drop `input` and `ctx` so nothing sent (a password, say) is echoed.
    errors = [
        {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": err.get("type")}
        for err in exc.errors()
    ]
    return JSONResponse({"detail": errors, "code": "validation_error"}, status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (400, 422):
        # Only the framework and the request middleware raise these (our code raises AppError):
        # a body that could not be decoded or carried a NUL. Invalid input, so a 422.
        msg = "The body could not be decoded." if exc.status_code == 400 else str(exc.detail)
        errors = [{"loc": ["body"], "msg": msg, "type": "invalid"}]
        return JSONResponse({"detail": errors, "code": "validation_error"}, status_code=422)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(
        {"detail": str(exc.detail), "code": code}, status_code=exc.status_code, headers=headers
    )


def _segment(operations: dict[str, Any]) -> Callable[[re.Match[str]], str]:
    """A path parameter's pattern: a date-formatted one only matches dates."""
    dates = {
        p.get("name")
        for op in operations.values()
        if isinstance(op, dict)
        for p in op.get("parameters", [])
        if p.get("in") == "path" and p.get("schema", {}).get("format") == "date"
    }
    return lambda m: r"\d{4}-\d{2}-\d{2}" if m.group(1) in dates else "[^/]+"


def _allowed_methods(request: Request) -> list[str]:
    """Every method any route serves at this path (the router only names the first route's)."""
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(
        request.app.state, "allowed_methods", None
    )
    if table is None:
        table = []
        for path, operations in request.app.openapi().get("paths", {}).items():
            regex = re.compile("^" + re.sub(r"\{([^/}]+)\}", _segment(operations), path) + "$")
            table.append((regex, {method.upper() for method in operations}))
        request.app.state.allowed_methods = table
    methods: set[str] = set()
    for regex, allowed in table:
        if regex.match(request.url.path):
            methods |= allowed
    return sorted(methods)


async def _stored_response(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StoredResponse)
    return Response(
        exc.body,
        status_code=exc.status_code,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(StoredResponse, _stored_response)
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
