"""FastAPI's dependency solving with what never changes worked out once per route (issue 12).

FastAPI's `solve_dependencies` works out, for every dependency node and on every request, the
node's cache key (its OAuth scopes, by unwrapping the callable), whether the callable is a
generator, a coroutine or a plain function (a classification object and a cache lookup each
time), and asks the request for its path, query, header and cookie parameters even when the
node declares none; and it walks again the whole subtree of a dependency it already has in
its per-request cache. That is ~85 Python calls per node, 600 to 1 200 per request here.

`Plan.of(dependant)` classifies every node once, with FastAPI's own functions, and `solve`
then does per request exactly what `solve_dependencies` does with those answers: the same
order of calls, the same per-request cache (same keys), the same exit stacks for
generators (FastAPI's `_solve_generator`), FastAPI's own parameter and body validation (so
the same values and the same errors in the same order), and a dependency whose own subtree
failed is not called. The walk into a cached dependency's subtree is left out only where it
can do nothing: no parameters to validate and every node in it cached.

Only the node kinds this app uses are planned; `Plan.of` answers None for the rest
(security scopes, a sync dependency, concurrency limits, a dependency without `use_cache`,
WebSocket or background-task parameters), and the route keeps FastAPI's own handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.dependencies.models import (
    Dependant,
    _get_cache_key,
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)
from fastapi.dependencies.utils import _solve_generator, request_body_to_args
from fastapi.types import DependencyCacheKey
from starlette.requests import Request
from starlette.responses import Response

from app.core.params import ParamPlan

# The request attribute each parameter list reads, in FastAPI's order.
_SOURCES = (
    ("path_params", "path_params"),
    ("query_params", "query_params"),
    ("header_params", "headers"),
    ("cookie_params", "cookies"),
)


@dataclass(frozen=True, slots=True)
class _Step:
    """One dependency of a node: how to get its value, once its own subtree is solved."""

    node: Plan
    key: DependencyCacheKey
    name: str | None
    generator: bool  # an async generator: entered on one of the request's exit stacks
    function_scope: bool  # scope="function": on the function stack, else the request's
    skippable: bool  # cached already ⇒ its subtree can add no value, error or call


@dataclass(frozen=True, slots=True)
class Plan:
    """A dependency node (or the endpoint itself) with its static answers worked out."""

    dependant: Dependant
    steps: tuple[_Step, ...]
    has_params: bool  # path, query, header or cookie parameters to validate
    params: tuple[tuple[ParamPlan, str], ...]  # each non-empty list, and the request's source
    quiet: bool  # neither this node nor any below it validates anything
    takes_response: bool  # somewhere in the tree: the shared sub-response is needed

    @classmethod
    def of(cls, dependant: Dependant) -> Plan | None:
        """The plan of `dependant`'s tree, or None when it uses what is not planned here."""
        if (
            dependant.security_scopes_param_name
            or dependant.websocket_param_name
            or dependant.background_tasks_param_name
            or dependant.concurrency is not None
            or not dependant.use_cache
        ):
            return None
        steps = []
        for sub in dependant.dependencies:
            node = cls.of(sub)
            call = sub.call
            if node is None or call is None:
                return None
            generator = _is_async_gen_callable(call)
            if not generator and (_is_gen_callable(call) or not _is_coroutine_callable(call)):
                return None  # would run in a thread
            steps.append(
                _Step(
                    node=node,
                    key=_get_cache_key(dependant=sub),
                    name=sub.name,
                    generator=generator,
                    function_scope=sub.scope == "function",
                    skippable=node.quiet,
                )
            )
        has_params = bool(
            dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
        )
        return cls(
            dependant=dependant,
            steps=tuple(steps),
            has_params=has_params,
            params=tuple(
                (ParamPlan.of(getattr(dependant, fields)), source)
                for fields, source in _SOURCES
                if getattr(dependant, fields)
            ),
            quiet=not has_params
            and not dependant.body_params
            and all(step.node.quiet for step in steps),
            takes_response=dependant.response_param_name is not None
            or any(step.node.takes_response for step in steps),
        )

    async def solve(
        self,
        request: Request,
        body: Any,
        response: Response | None,
        cache: dict[DependencyCacheKey, Any],
        embed_body_fields: bool,
    ) -> tuple[dict[str, Any], list[Any]]:
        """The keyword arguments for this node's callable and the validation errors."""
        values: dict[str, Any] = {}
        errors: list[Any] = []
        for step in self.steps:
            key = step.key
            if step.skippable and key in cache:
                solved = cache[key]
            else:
                sub_values, sub_errors = await step.node.solve(
                    request, body, response, cache, embed_body_fields
                )
                if sub_errors:
                    errors.extend(sub_errors)
                    continue
                if key in cache:
                    solved = cache[key]
                elif step.generator:
                    scope = request.scope
                    stack = scope[
                        "fastapi_function_astack" if step.function_scope else "fastapi_inner_astack"
                    ]
                    solved = await _solve_generator(
                        dependant=step.node.dependant,
                        stack=stack,
                        sub_values=sub_values,
                        request=request,
                    )
                else:
                    call: Any = step.node.dependant.call
                    solved = await call(**sub_values)
                cache[key] = solved
            if step.name is not None:
                values[step.name] = solved
        dependant = self.dependant
        for planned, source in self.params:
            found, wrong = planned.to_args(getattr(request, source))
            values.update(found)
            errors += wrong
        if dependant.body_params:
            found, wrong = await request_body_to_args(
                body_fields=dependant.body_params,
                received_body=body,
                embed_body_fields=embed_body_fields,
            )
            values.update(found)
            errors.extend(wrong)
        if dependant.http_connection_param_name:
            values[dependant.http_connection_param_name] = request
        if dependant.request_param_name:
            values[dependant.request_param_name] = request
        if dependant.response_param_name:
            values[dependant.response_param_name] = response
        return values, errors
