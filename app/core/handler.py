"""A route's request handler with its dependency plan worked out once (issue 12).

`LeanEndpoint` stands in for FastAPI's per-route handler (`fastapi.routing.get_request_handler`)
for the routes `app.core.dispatch` picks, and only for the shapes this app uses: a coroutine
endpoint answering JSON (no streaming, no form body), whose dependency tree `Plan.of` can
plan. Step by step it does what FastAPI's handler does for those: read the body and decode it
when the content type is JSON (the same errors: 422 `json_invalid`, 400, the body limit's
413), solve the dependencies (`app.core.solver`), call the endpoint, validate and serialise
what it returns with the route's response field (pydantic-core's `dump_json`, as FastAPI's
own fast path), the status code and headers the endpoint set on its `Response` parameter,
or the 422 with every validation error. It runs inside FastAPI's `request_response` (the two
exit stacks, the exception handlers), as FastAPI's handler does.

Whenever FastAPI would do more than that, FastAPI's own handler answers: the app has
dependency overrides (tests), or request telemetry is on.
"""

from __future__ import annotations

import email.message
import json
from typing import Any

from fastapi._body_limit import get_body_limit_error
from fastapi._compat import Undefined
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import (
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)
from fastapi.exceptions import EndpointContext, RequestValidationError, ResponseValidationError
from fastapi.params import Form
from fastapi.routing import _EffectiveRouteContext, _extract_endpoint_context, request_response
from fastapi.telemetry._api import _get_request_telemetry, _validation_failed
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.solver import Plan

_JSON_TYPES: dict[str, bool] = {}
_JSON_TYPES_KEPT = 64


def _is_json(content_type: str) -> bool:
    """FastAPI's test of a Content-Type for JSON, remembered for the few values clients send."""
    known = _JSON_TYPES.get(content_type)
    if known is not None:
        return known
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    answer = message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )
    if len(_JSON_TYPES) < _JSON_TYPES_KEPT:
        _JSON_TYPES[content_type] = answer
    return answer


def _plain(context: _EffectiveRouteContext) -> bool:
    """A route whose handler FastAPI builds from the plain JSON branch only."""
    endpoint = context.endpoint
    return (
        context.dependant is not None
        and context.dependant.call is not None
        and context.max_body_size is None
        and not context.is_sse_stream
        and not context.is_json_stream
        and context.stream_item_field is None
        and isinstance(context.response_class, DefaultPlaceholder)
        and context.response_class.value is JSONResponse
        and context.response_field is not None
        and (context.body_field is None or not isinstance(context.body_field.field_info, Form))
        and endpoint is not None
        and context.dependant.call is endpoint
        and _is_coroutine_callable(endpoint)
        and not _is_async_gen_callable(endpoint)
        and not _is_gen_callable(endpoint)
    )


class LeanEndpoint:
    """The ASGI app of one route: the planned handler, or FastAPI's when it must be."""

    def __init__(self, context: _EffectiveRouteContext, plan: Plan, fallback: ASGIApp) -> None:
        self.context = context
        self.plan = plan
        self.fallback = fallback
        self.overrides = context.dependency_overrides_provider
        self.strict = bool(
            context.strict_content_type.value
            if isinstance(context.strict_content_type, DefaultPlaceholder)
            else context.strict_content_type
        )
        self.app = request_response(self.handle)

    @classmethod
    def of(cls, context: _EffectiveRouteContext) -> LeanEndpoint | None:
        """The planned handler of a route, or None where FastAPI's own must answer."""
        if not _plain(context) or context.dependant is None or context.app is None:
            return None
        plan = Plan.of(context.dependant)
        return None if plan is None else cls(context, plan, context.app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        overrides = self.overrides
        if (
            overrides is not None and getattr(overrides, "dependency_overrides", None)
        ) or _get_request_telemetry() is not None:
            await self.fallback(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _endpoint_context(self, request: Request) -> EndpointContext:
        dependant = self.plan.dependant
        found = _extract_endpoint_context(dependant.call)
        if dependant.path:
            mount_path = request.scope.get("root_path", "").rstrip("/")
            found["path"] = f"{request.method} {mount_path}{dependant.path}"
        return found

    async def _body(self, request: Request) -> Any:
        try:
            body_bytes = await request.body()
            if not body_bytes:
                return Undefined
            content_type = request.headers.get("content-type")
            if (not content_type and not self.strict) or (content_type and _is_json(content_type)):
                return await request.json()
            return body_bytes
        except json.JSONDecodeError as e:
            error = RequestValidationError(
                [
                    {
                        "type": "json_invalid",
                        "loc": ("body", e.pos),
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": e.msg},
                    }
                ],
                body=e.doc,
                endpoint_ctx=self._endpoint_context(request),
            )
            _validation_failed(error)
            raise error from e
        except HTTPException:
            raise
        except Exception as e:
            if MAX_BODY_SIZE_SCOPE_KEY in request.scope and (
                limit_error := get_body_limit_error(e)
            ):
                raise limit_error from e
            raise HTTPException(
                status_code=400, detail="There was an error parsing the body"
            ) from e

    async def handle(self, request: Request) -> Response:
        """What FastAPI's handler does for a JSON route, with the plan's dependencies."""
        context = self.context
        body = Undefined if context.body_field is None else await self._body(request)
        plan = self.plan
        sub_response: Response | None = None
        if plan.takes_response:
            sub_response = Response()
            del sub_response.headers["content-length"]
            sub_response.status_code = None  # type: ignore[assignment]
        embed = context._embed_body_fields
        values, errors = await plan.solve(request, body, sub_response, {}, embed)
        if errors:
            error = RequestValidationError(
                errors,
                body=None if body is Undefined else body,
                endpoint_ctx=self._endpoint_context(request),
            )
            _validation_failed(error)
            raise error
        call: Any = plan.dependant.call
        raw = await call(**values)
        if isinstance(raw, Response):
            return raw  # no background tasks here: the plan refuses them
        status_code = context.status_code
        if sub_response is not None and sub_response.status_code:
            status_code = sub_response.status_code
        field: Any = context.response_field
        value, wrong = field.validate(raw, {}, loc=("response",))
        if wrong:
            raise ResponseValidationError(
                errors=wrong, body=raw, endpoint_ctx=self._endpoint_context(request)
            )
        content = field.serialize_json(
            value,
            include=context.response_model_include,
            exclude=context.response_model_exclude,
            by_alias=context.response_model_by_alias,
            exclude_unset=context.response_model_exclude_unset,
            exclude_defaults=context.response_model_exclude_defaults,
            exclude_none=context.response_model_exclude_none,
        )
        if status_code is None:
            response = Response(content=content, media_type="application/json")
        else:
            response = Response(
                content=content, media_type="application/json", status_code=status_code
            )
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        if sub_response is not None:
            response.headers.raw.extend(sub_response.headers.raw)
        return response
