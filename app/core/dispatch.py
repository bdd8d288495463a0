"""Route a request in (near) constant time instead of FastAPI's linear scan (issue 12).

FastAPI 0.165 finds a route by asking every route, in order, whether it matches, and an
included router answers by asking each of its routes in turn, once to match and again to
handle: ~140 route `matches` calls per request for this app's ~145 routes. Here the routes
are indexed once by the literal leading segments of their paths (a trie), so a request only
tries the few routes whose literal prefix equals its own, in FastAPI's order; the first full
match wins, else the first partial (method) match, exactly as FastAPI picks.

The chosen route is then handled the way FastAPI's included routers hand it down (the same
scope keys: router, form limits, the included router and the effective route context,
endpoint, path parameters, route; the same telemetry hook), so the route's own handle (405,
body limit, dependencies) runs unchanged. Whatever the index is not sure of goes to FastAPI's
own scan: a path no indexed route matches (404, the trailing-slash redirect, low-priority
routes), any path a non-FastAPI route could match (the docs, the console's static mount, a
route added straight onto the app), and non-HTTP scopes. The index is rebuilt when the app's
own route list changes; routes are not added to included routers after start-up here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi._body_limit import AppBodyLimitMiddleware
from fastapi.routing import (
    APIRoute,
    _apply_router_form_limits,
    _EffectiveRouteContext,
    _get_fastapi_scope,
    _IncludedRouter,
)
from fastapi.telemetry import TelemetryConfig
from fastapi.telemetry._api import _route_selected
from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
from starlette._utils import get_route_path
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.handler import LeanEndpoint

# How many leading path segments the index looks at (/v1/me/checkins).
DEPTH = 3
_INCLUDED_ROUTER_KEY = "included_router"
_EFFECTIVE_ROUTE_CONTEXT_KEY = "effective_route_context"


@dataclass(frozen=True, slots=True)
class Leaf:
    """One FastAPI route as reached through its chain of included routers."""

    order: int
    path_regex: re.Pattern[str]
    convertors: dict[str, Any]
    methods: frozenset[str]
    path_format: str
    context: _EffectiveRouteContext
    route: APIRoute
    included: _IncludedRouter  # the innermost included router holding it
    form_limits: tuple[Any, ...]  # of each included router on the way, outermost first
    lean: LeanEndpoint | None  # its planned handler, None: FastAPI's handles it


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    here: list[Leaf | None] = field(default_factory=list)  # None: not ours, scan
    # This node's leaves and its ancestors', in FastAPI's order; None: scan.
    candidates: tuple[Leaf, ...] | None = ()


def _literal_prefix(path_format: str) -> list[str]:
    segments: list[str] = []
    for segment in path_format[1:].split("/")[:DEPTH]:
        if "{" in segment:
            break
        segments.append(segment)
    return segments


def _leaves(
    branch: _IncludedRouter, limits: tuple[Any, ...], found: list[tuple[str, Leaf | None]]
) -> None:
    limits = (*limits, branch.include_context.form_limits)
    for candidate in branch.effective_candidates():
        if isinstance(candidate, _IncludedRouter):
            _leaves(candidate, limits, found)
            continue
        route = candidate.original_route
        if not isinstance(route, APIRoute) or candidate.starlette_route is not None:
            found.append((_path_of(candidate), None))
            continue
        leaf = Leaf(
            order=len(found),
            path_regex=candidate.path_regex,
            convertors=candidate.param_convertors,
            methods=frozenset(candidate.methods or ()),
            path_format=candidate.path_format,
            context=candidate,
            route=route,
            included=branch,
            form_limits=limits,
            lean=LeanEndpoint.of(candidate) if type(route) is APIRoute else None,
        )
        found.append((candidate.path_format, leaf))


def _path_of(route: BaseRoute | _EffectiveRouteContext) -> str:
    """Where a route we leave to FastAPI can match ("/" = anywhere, the safe answer)."""
    inner = getattr(route, "starlette_route", None) or route
    path = getattr(inner, "path_format", None) or getattr(inner, "path", None)
    return path if isinstance(path, str) and path.startswith("/") else "/"


def build_index(routes: list[BaseRoute], router_limits: Any) -> _Node:
    """The trie of the app's routes by their literal leading segments."""
    found: list[tuple[str, Leaf | None]] = []
    for route in routes:
        if isinstance(route, _IncludedRouter):
            _leaves(route, (router_limits,), found)
        else:
            found.append((_path_of(route), None))
    root = _Node()
    for path_format, leaf in found:
        node = root
        for segment in _literal_prefix(path_format):
            node = node.children.setdefault(segment, _Node())
        node.here.append(leaf)
    _fill(root, [])
    return root


def _fill(node: _Node, inherited: list[Leaf | None]) -> None:
    # Every node keeps its own and its ancestors' routes in FastAPI's order (`order` is the
    # position in the scan), so one lookup gives the whole ordered candidate list.
    mine = [*inherited, *node.here]
    if any(leaf is None for leaf in mine):
        node.candidates = None
    else:
        node.candidates = tuple(sorted((leaf for leaf in mine if leaf), key=lambda x: x.order))
    for child in node.children.values():
        _fill(child, mine)


def _lookup(root: _Node, route_path: str) -> tuple[Leaf, ...] | None:
    node = root
    for segment in route_path[1:].split("/", DEPTH)[:DEPTH]:
        child = node.children.get(segment)
        if child is None:
            break
        node = child
    return node.candidates


class FastDispatch:
    """The app router's entry point: the index first, FastAPI's scan when unsure."""

    def __init__(self, app: FastAPI) -> None:
        self.router = app.router
        self.scan: ASGIApp = app.router.app
        self.stamp: tuple[int, int] | None = None
        self.root = _Node()

    def _index(self) -> _Node:
        router = self.router
        stamp = (len(router.routes), router._routes_version)
        if stamp != self.stamp:
            self.root = build_index(router.routes, router.form_limits)
            self.stamp = stamp
        return self.root

    def choose(self, scope: Scope) -> tuple[Leaf, re.Match[str]] | None:
        """The route FastAPI's scan would pick for this HTTP request, or None to scan."""
        route_path = get_route_path(scope)
        candidates = _lookup(self._index(), route_path)
        if not candidates:
            return None
        method = scope["method"]
        partial: tuple[Leaf, re.Match[str]] | None = None
        for leaf in candidates:
            match = leaf.path_regex.match(route_path)
            if match is None:
                continue
            if not leaf.methods or method in leaf.methods:
                return leaf, match
            if partial is None:
                partial = (leaf, match)
        return partial

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self.choose(scope) if scope["type"] == "http" else None
        if chosen is None:
            await self.scan(scope, receive, send)
            return
        leaf, match = chosen
        # What Router.app and each included router's _handle_selected leave in the scope.
        for limits in leaf.form_limits:
            _apply_router_form_limits(scope, limits)
        scope.setdefault("router", self.router)
        fastapi_scope = _get_fastapi_scope(scope)
        fastapi_scope[_INCLUDED_ROUTER_KEY] = leaf.included
        path_params = dict(scope.get("path_params", {}))
        for key, value in match.groupdict().items():
            path_params[key] = leaf.convertors[key].convert(value)
        scope.update(endpoint=leaf.context.endpoint, path_params=path_params, route=leaf.route)
        _route_selected(scope=scope, path=leaf.path_format, mount=False)
        fastapi_scope[_EFFECTIVE_ROUTE_CONTEXT_KEY] = leaf.context
        if leaf.lean is not None and (not leaf.methods or scope["method"] in leaf.methods):
            await leaf.lean(scope, receive, send)  # what the route's handle would run
            return
        await leaf.route.handle(scope, receive, send)


def install_fast_dispatch(app: FastAPI) -> FastDispatch:
    """Put the index in front of the app router's scan (the router has no middleware)."""
    if app.router.middleware_stack != app.router.app:
        raise RuntimeError("the app router has its own middleware; dispatch would skip it")
    dispatch = FastDispatch(app)
    app.router.middleware_stack = dispatch
    return dispatch


# FastAPI's own OpenTelemetry hooks: off (the app exports Prometheus metrics and JSON logs;
# nothing here configures OpenTelemetry). Then FastAPI's entry decides "off" from the flags
# alone, without asking OpenTelemetry for its providers on every request.
TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class LeanStackAPI(FastAPI):
    """FastAPI without the two layers of its stack that do nothing for this app (issue 12)."""

    def build_middleware_stack(self) -> ASGIApp:
        """FastAPI's stack, less the telemetry exception hook while telemetry is off (it only
        records into the request's telemetry, which is then never created) and the app-wide
        body limit layer while no `max_body_size` is set (RequestContextMiddleware holds the
        64 KiB limit; a mount's limit, never used here, is all that layer would apply)."""
        stack = super().build_middleware_stack()
        config = self._telemetry
        telemetry_off = not (config["tracing"] or config["metrics"] or config["logs"])
        outer: Any = stack  # ServerErrorMiddleware
        if telemetry_off and isinstance(outer.app, ExceptionTelemetryMiddleware):
            outer.app = outer.app.app
        if self.max_body_size is None and isinstance(outer.app, AppBodyLimitMiddleware):
            outer.app = outer.app.app
        return stack
