"""Shared pieces of request/response models: strict request base, list envelope, field types."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from app.core.time import is_valid_timezone

T = TypeVar("T")


class RequestModel(BaseModel):
    """Every request body: unknown fields are refused (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid")


class ListResponse(BaseModel, Generic[T]):
    """`{"data": [...], "count": N, "next_cursor": ...}`; count is the length of this page."""

    data: list[T]
    count: int
    next_cursor: str | None = None


def _check_timezone(value: str) -> str:
    if not is_valid_timezone(value):
        raise ValueError("not an IANA time zone, e.g. Europe/Oslo")
    return value


TimeZoneName = Annotated[
    str, StringConstraints(min_length=1, max_length=64), AfterValidator(_check_timezone)
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ShortText = Annotated[str, StringConstraints(max_length=500)]


class ErrorBody(BaseModel):
    """Every error answer: a human sentence and a stable machine code."""

    detail: str
    code: str


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class InvalidBody(BaseModel):
    """A 422: FastAPI's field list for malformed input, or one sentence for a broken rule."""

    detail: list[ValidationIssue] | str
    code: str


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing or invalid token",
    403: "Wrong role",
    404: "Not found, or not yours to see",
    409: "Conflict with the current state",
    413: "Request body too large",
    429: "Too many requests",
    503: "Not ready",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses=` entries for the error statuses a route can answer (and 422)."""
    responses: dict[int | str, dict[str, object]] = {
        status: {"model": ErrorBody, "description": _DESCRIPTIONS.get(status, "Error")}
        for status in statuses
        if status != 422
    }
    responses[422] = {"model": InvalidBody, "description": "Invalid input"}
    return responses


def _within_this_century(value: datetime) -> datetime:
    try:
        moment = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("out of range") from exc
    if not 2000 <= moment.year <= 2099:
        raise ValueError("must fall between the years 2000 and 2099")
    return moment


# Dates and times a client sends for real events: bounded, so no arithmetic on them overflows.
EventDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]
EventTime = Annotated[AwareDatetime, AfterValidator(_within_this_century)]
