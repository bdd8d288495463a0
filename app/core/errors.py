"""The one error hierarchy: every domain error carries an HTTP status and a stable code."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """Base of every error the API answers on purpose."""

    status_code: ClassVar[int] = 400
    code: str = "bad_request"
    detail: str = "The request could not be processed."

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = detail or type(self).detail
        self.code = code or type(self).code
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.detail)


class BadRequest(AppError):
    status_code = 400


class Unauthorized(AppError):
    status_code = 401
    code = "not_authenticated"
    detail = "Could not validate credentials."

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        super().__init__(detail, code=code, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    detail = "Your role does not allow this."


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    detail = "Not found."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    detail = "The request conflicts with the current state."


class Gone(AppError):
    status_code = 410
    code = "gone"
    detail = "What was asked for is no longer kept."


class Unprocessable(AppError):
    status_code = 422
    code = "invalid"
    detail = "The request is not valid."


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    detail = "Too many requests; try again later."

    def __init__(self, detail: str | None = None, *, retry_after: int, code: str | None = None):
        super().__init__(detail, code=code, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(AppError):
    status_code = 503
    code = "unavailable"
    detail = "The service is not ready."


class StoredResponse(Exception):
    """Not an error: answer with a response stored earlier (an idempotent replay)."""

    def __init__(self, status_code: int, body: str) -> None:
        self.status_code = status_code
        self.body = body
        super().__init__("replay")
