"""The planned parameter validation (app/core/params.py) answers what FastAPI's own
`request_params_to_args` answers: for every parameter list of every route of the app, and
requests that leave each parameter out, send it empty, valid-looking, invalid or repeated."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Cookie, Header, Path, Query
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant, request_params_to_args
from fastapi.routing import _IncludedRouter
from pydantic import AliasChoices, Json
from starlette.datastructures import Headers, QueryParams

from app.core.config import Settings
from app.core.dispatch import Leaf, _leaves
from app.core.params import ParamPlan
from app.main import create_app

_SAMPLES = ("", "x", "1", "-3", "250", "2026-11-20", str(uuid.uuid4()), "true", "a" * 300)


def _nodes(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _nodes(sub)


def _plain(answer: tuple[dict[str, Any], list[Any]]) -> Any:
    """An answer with exception objects (in errors' ctx) as (type, args): comparable."""

    def plain(value: Any) -> Any:
        if isinstance(value, BaseException):
            return (type(value), value.args)
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    values, errors = answer
    return values, plain(errors)


def _requests(kind: str, keys: list[str]) -> Iterator[Any]:
    """Received mappings for one parameter list: none, each sample for every key, repeats."""
    pairs_of: list[list[tuple[str, str]]] = [[]]
    pairs_of += [[(key, sample) for key in keys] for sample in _SAMPLES]
    pairs_of += [[(key, "1") for key in keys] + [(key, "2") for key in keys]]
    pairs_of += [[(key, sample)] for key in keys for sample in ("1", "x")]
    for pairs in pairs_of:
        if kind == "query_params":
            yield QueryParams(pairs)
        elif kind == "header_params":
            yield Headers(raw=[(k.lower().encode(), v.encode()) for k, v in pairs])
        else:
            yield dict(pairs)


async def _kinds(
    item_id: Annotated[int, Path()],
    many: Annotated[list[str], Query()],
    some_ints: Annotated[list[int] | None, Query(alias="some-ints")] = None,
    raw: Annotated[Json[list[int]] | None, Query()] = None,
    chosen: Annotated[str | None, Query(validation_alias=AliasChoices("chosen", "picked"))] = None,
    x_tags: Annotated[list[str] | None, Header()] = None,
    x_one: Annotated[int | None, Header()] = None,
    session_hint: Annotated[str | None, Cookie()] = None,
) -> None:
    """Parameter kinds the app's own routes do not all use (sequences, JSON, alias choices)."""


def _dependants(settings: Settings) -> list[Dependant]:
    app = create_app(settings)
    leaves: list[tuple[str, Leaf | None]] = []
    for branch in app.routes:
        if isinstance(branch, _IncludedRouter):
            _leaves(branch, (), leaves)
    found = [leaf.context.dependant for _path, leaf in leaves if leaf is not None]
    assert len(found) > 100
    return [*(d for d in found if d is not None), get_dependant(path="/{item_id}", call=_kinds)]


def test_the_planned_parameters_answer_what_fastapi_answers(settings: Settings) -> None:
    compared = 0
    for dependant in _dependants(settings):
        for node in _nodes(dependant):
            for kind in ("path_params", "query_params", "header_params", "cookie_params"):
                fields = getattr(node, kind)
                if not fields:
                    continue
                plan = ParamPlan.of(fields)
                keys = [field.alias for field in fields] + ["picked"]
                for received in _requests(kind, keys):
                    expected = request_params_to_args(fields, received)
                    assert _plain(plan.to_args(received)) == _plain(expected), (
                        dependant.path,
                        kind,
                        received,
                    )
                    compared += 1
    assert compared > 1000  # every route's lists, not a few
