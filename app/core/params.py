"""FastAPI's `request_params_to_args` with what never changes per field worked out once (issue 12).

For every path, query, header and cookie parameter of every request, FastAPI 0.165 works out
again whether the field is a parameter model, its aliases, whether its annotation is a
sequence (twice) and whether it is a JSON field: ~70 Python calls for one absent optional
header (the log route's `Idempotency-Key`), ~50 for one path parameter. `ParamPlan.of(fields)`
works those answers out once with FastAPI's own functions; `ParamPlan.to_args(received)` then
does what `request_params_to_args` does with them: the same alias choice, the same value
(`getlist` for a sequence, `get` otherwise, missing or empty as `Undefined`), the same
validation (`_validate_value_with_model_field`, same `loc`), the same order of errors. A
parameter model (one model for all query parameters) keeps FastAPI's own function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import params
from fastapi._compat import ModelField, field_annotation_is_sequence
from fastapi.dependencies.utils import (
    _get_param_aliases,
    _get_param_model,
    _is_json_field,
    _validate_value_with_model_field,
    request_params_to_args,
)
from pydantic_core import PydanticUndefined as Undefined
from starlette.datastructures import Headers, ImmutableMultiDict


@dataclass(frozen=True, slots=True)
class _Field:
    field: ModelField
    name: str
    keys: tuple[str, ...]  # request keys in preference order (the first present wins)
    location: str  # "path", "query", "header", "cookie": the first part of an error's loc
    sequence: bool  # annotation is a sequence: an empty value counts as missing
    many: bool  # sequence and not JSON: read every value of a multi-dict


@dataclass(frozen=True, slots=True)
class ParamPlan:
    """One parameter list (a node's path, query, header or cookie fields), planned."""

    fields: tuple[ModelField, ...]
    planned: tuple[_Field, ...] | None  # None: a parameter model, FastAPI's function answers

    @classmethod
    def of(cls, fields: Sequence[ModelField]) -> ParamPlan:
        planned = []
        for field in fields:
            info = field.field_info
            if _get_param_model(field) is not None or not isinstance(info, params.Param):
                return cls(tuple(fields), None)
            sequence = field_annotation_is_sequence(info.annotation)
            planned.append(
                _Field(
                    field=field,
                    name=field.name,
                    keys=tuple(key for _alias, key in _get_param_aliases(field)),
                    location=info.in_.value,
                    sequence=sequence,
                    many=sequence and not _is_json_field(field),
                )
            )
        return cls(tuple(fields), tuple(planned))

    def to_args(self, received: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        """What `request_params_to_args(fields, received)` answers."""
        if self.planned is None:
            return request_params_to_args(self.fields, received)
        values: dict[str, Any] = {}
        errors: list[Any] = []
        for step in self.planned:
            keys = step.keys
            key = keys[0]
            if len(keys) > 1:
                key = next((k for k in keys if k in received), key)
            value: Any
            if step.many and isinstance(received, ImmutableMultiDict | Headers):
                value = received.getlist(key)
            else:
                value = received.get(key, None)
            if value is None or (step.sequence and len(value) == 0):
                value = Undefined
            found, wrong = _validate_value_with_model_field(
                field=step.field, value=value, values=values, loc=(step.location, key)
            )
            if wrong:
                errors.extend(wrong)
            else:
                values[step.name] = found
        return values, errors
