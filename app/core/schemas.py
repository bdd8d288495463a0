"""Shared pieces of request/response models: strict request base, list envelope, field types."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
    ValidationInfo,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from app.core.time import is_valid_timezone

T = TypeVar("T")


class RequestModel(BaseModel):
    """Every request body: unknown fields are refused (a typo must not pass silently), and values
    are taken only in their JSON type (strict: `0` is no boolean, `"1"` no number). Types a JSON
    client sends as text (dates, times, ids, enum members) use the shared types below, which are
    lax about the Python type but strict about the text (tests/test_strict_inputs.py checks)."""

    model_config = ConfigDict(extra="forbid", strict=True)


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
    410: "No longer kept",
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
    if not 2000 <= value.year <= 2099:  # as written, so the published pattern says it all
        raise ValueError("must fall between the years 2000 and 2099")
    return moment


# Validation context for rereading what we stored ourselves (model_validate(..., context=...)).
STORED = "stored"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}.*")


def _date_text(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


def _datetime_text(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_DATETIME.fullmatch(value)):
        return value
    raise ValueError("must be a date and time written YYYY-MM-DDTHH:MM:SS with a UTC offset")


def _json_number(value: object, info: ValidationInfo) -> object:
    if isinstance(value, str) and STORED in (info.context or ()):
        return value  # our own stored JSON (pydantic writes decimals as text)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a JSON number")
    return value


# Text-carried values: strict about the text, lax only about the Python type that carries it.
IsoDate = Annotated[date, Strict(False), BeforeValidator(_date_text)]
IsoDateTime = Annotated[AwareDatetime, Strict(False), BeforeValidator(_datetime_text)]
Id = Annotated[uuid.UUID, Strict(False)]


class JsonNumber:
    """Last in `Annotated[Decimal, Field(strict=False, ...constraints), JsonNumber()]`: the decimal
    is accepted only as a JSON number and published as one (pydantic's default adds "or a
    string"); the constraints before it stay on the decimal, so they are published too."""

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.with_info_before_validator_function(_json_number, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        published = handler(schema)
        branches = published.pop("anyOf", None)
        if branches:
            published.update(next(b for b in branches if b.get("type") == "number"))
        return published


# Dates and times a client sends for real events: bounded, so no arithmetic on them overflows.
# The bounds are published as a pattern on the text (JSON Schema has no date minimum).
YEARS_2000_2099 = "^20[0-9]{2}-"
EventDate = Annotated[
    date,
    Field(strict=False, ge=date(2000, 1, 1), le=date(2099, 12, 31)),
    BeforeValidator(_date_text),
    Field(json_schema_extra={"pattern": YEARS_2000_2099 + "[0-9]{2}-[0-9]{2}$"}),
]
EventTime = Annotated[
    AwareDatetime,
    Strict(False),
    BeforeValidator(_datetime_text),
    AfterValidator(_within_this_century),
    Field(json_schema_extra={"pattern": YEARS_2000_2099}),
]
