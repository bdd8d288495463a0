"""Unknown query parameters are refused, as unknown body fields are (a typo must not pass)."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

# Kept on the route object itself (tests build many apps; an id() may be reused).
_ATTRIBUTE = "_mestring_query_names"


def _query_names(dependant: Dependant) -> list[str]:
    names = [param.alias for param in dependant.query_params]
    for inner in dependant.dependencies:
        names += _query_names(inner)
    return names


def _allowed(route: APIRoute) -> frozenset[str]:
    known: frozenset[str] | None = vars(route).get(_ATTRIBUTE)
    if known is None:
        known = frozenset(_query_names(route.dependant))
        vars(route)[_ATTRIBUTE] = known
    return known


async def refuse_unknown_query(request: Request) -> None:
    """422 naming each query parameter the operation does not declare."""
    # No query string, no parameters: without parsing one (every request runs this).
    if not request.scope.get("query_string") or not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _allowed(route)
    unknown = [name for name in request.query_params if name not in allowed]
    if unknown:
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": "Unknown query parameter",
                    "input": request.query_params[name],
                }
                for name in dict.fromkeys(unknown)
            ]
        )
