"""The route index (app/core/dispatch.py) picks the route FastAPI's own scan picks."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import _IncludedRouter
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match

from app.core.config import Settings
from app.core.dispatch import FastDispatch, Leaf, build_index
from app.main import create_app
from tests.conftest import SECRET

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_PARAM = re.compile(r"\{([^}:]+)(?::([^}]+))?\}")


def _app(tmp_path: Path) -> Any:
    # Routing only: nothing connects (the engine is lazy).
    return create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", secret_key=SECRET))


def _dispatch(app: Any) -> FastDispatch:
    dispatch = app.router.middleware_stack
    assert isinstance(dispatch, FastDispatch)
    return dispatch


def _scope(method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


def _scan(routes: list[BaseRoute], scope: dict[str, Any]) -> tuple[Any, bool] | None:
    """FastAPI's own choice: first full match in route order, else the first partial."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return _descend(route, scope), True
        if match == Match.PARTIAL and partial is None:
            partial = route
    return (_descend(partial, scope), False) if partial is not None else None


def _descend(route: Any, scope: dict[str, Any]) -> Any:
    while isinstance(route, _IncludedRouter):
        _, _, route, _ = route._match(scope)
    return route


def _leaves(dispatch: FastDispatch) -> list[Leaf]:
    seen: dict[int, Leaf] = {}
    stack = [dispatch._index()]
    while stack:
        node = stack.pop()
        seen.update((leaf.order, leaf) for leaf in node.here if leaf is not None)
        stack.extend(node.children.values())
    return [seen[key] for key in sorted(seen)]


def _sample(leaf: Leaf) -> str:
    """A concrete path of the route: each parameter a value its convertor accepts."""

    def value(found: re.Match[str]) -> str:
        pattern = leaf.convertors[found.group(1)].regex
        tries = ("x1", "7", "2026-01-05", str(uuid.UUID(int=7)), "a/b")
        return next(item for item in tries if re.fullmatch(pattern, item))

    return _PARAM.sub(value, leaf.path_format)


def _paths(leaves: list[Leaf]) -> list[str]:
    paths = {"/", "/v1", "/v1/", "/v1/nope", "/nope", "/docs", "/openapi.json", "/console"}
    paths |= {"/console/static/console.css", "/console/static/", "/v1/me/nope/x", "/metrics"}
    for leaf in leaves:
        sample = _sample(leaf)
        parent = sample.rsplit("/", 1)[0] or "/"
        paths |= {sample, sample + "/", sample + "/extra", parent + "/nope", parent}
    return sorted(paths)


def test_every_route_is_indexed_and_the_index_is_used(tmp_path: Path) -> None:
    dispatch = _dispatch(_app(tmp_path))
    leaves = _leaves(dispatch)
    assert len(leaves) > 100  # the API's and the console's routes
    for leaf in leaves:
        method = sorted(leaf.methods)[0]
        chosen = dispatch.choose(_scope(method, _sample(leaf)))
        assert chosen is not None, leaf.path_format
        # An earlier route may take the sample (a literal beside a parameter); never a scan.
        assert chosen[0].order <= leaf.order


def test_the_index_picks_what_the_scan_picks_for_every_path_and_method(tmp_path: Path) -> None:
    app = _app(tmp_path)
    dispatch = _dispatch(app)
    leaves = _leaves(dispatch)
    indexed = {id(leaf.route) for leaf in leaves}
    compared = fast = 0
    for path in _paths(leaves):
        for method in METHODS:
            scope = _scope(method, path)
            expected = _scan(app.router.routes, dict(scope, fastapi={}))
            chosen = dispatch.choose(dict(scope))
            compared += 1
            if chosen is None:  # left to the scan: no indexed route may match
                assert expected is None or id(expected[0]) not in indexed, (method, path)
                continue
            fast += 1
            leaf, _ = chosen
            assert expected is not None, (method, path)
            assert expected[0] is leaf.route, (method, path, leaf.path_format)
            assert expected[1] == (method in leaf.methods), (method, path)
    assert fast > 500
    assert compared > fast


def test_paths_the_index_leaves_to_the_scan(tmp_path: Path) -> None:
    dispatch = _dispatch(_app(tmp_path))
    for path in ("/docs", "/openapi.json", "/console/static/console.css", "/nope", "/v1/me/"):
        assert dispatch.choose(_scope("GET", path)) is None, path


def test_a_route_added_to_the_app_later_is_routed(settings: Settings) -> None:
    app = create_app(settings)

    async def extra() -> dict[str, str]:
        return {"ok": "yes"}

    with TestClient(app) as client:
        assert client.get("/v1/extra-route").status_code == 404
        app.add_api_route("/v1/extra-route", extra)
        assert client.get("/v1/extra-route").json() == {"ok": "yes"}


@pytest.mark.parametrize("method", ["DELETE", "PATCH"])
def test_a_wrong_method_is_405_with_allow(client: TestClient, method: str) -> None:
    response = client.request(method, "/v1/me/today")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_unknown_path_and_trailing_slash_answer_as_before(client: TestClient) -> None:
    missing = client.get("/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found", "code": "not_found"}
    redirect = client.get("/v1/me/today/", follow_redirects=False)
    assert redirect.status_code == 307
    assert redirect.headers["location"].endswith("/v1/me/today")


def test_index_of_an_app_without_routes_scans() -> None:
    root = build_index([], {})
    assert root.candidates == ()
    assert not root.children


def test_the_stack_has_no_idle_fastapi_layers(tmp_path: Path) -> None:
    app = _app(tmp_path)
    layers = []
    layer: Any = app.build_middleware_stack()
    while layer is not None and not isinstance(layer, FastDispatch | APIRouter):
        layers.append(type(layer).__name__)
        layer = getattr(layer, "app", None)
    assert layers[0] == "ServerErrorMiddleware"
    assert "ExceptionTelemetryMiddleware" not in layers
    assert "AppBodyLimitMiddleware" not in layers
    assert "RequestContextMiddleware" in layers
    assert "ExceptionMiddleware" in layers
    assert not app._native_telemetry.enabled()
