"""Health, readiness, metrics, request ids, headers and the error envelope."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Api


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_on_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_refuses_unmigrated_database(empty_database: str) -> None:
    with TestClient(create_app(make_settings(empty_database))) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "db_not_migrated"


def test_readyz_when_database_unreachable(tmp_path: Path) -> None:
    settings = make_settings("postgresql://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "db_unreachable"


def test_metrics_count_requests_by_route_template(database_url: str) -> None:
    token = "metrics-token-0123456789-abcdefghijklmnopqrstuvwxyz"
    with TestClient(create_app(make_settings(database_url, metrics_token=token))) as client:
        client.get("/healthz")
        client.get("/v1/patients/6f0d3c56-5b1c-4c4e-9a55-8f4a1f1f0c11")
        text = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).text
    assert 'mestring_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert 'route="/v1/patients/{patient_id}",status="401"' in text
    assert "6f0d3c56" not in text


def test_request_id_is_always_ours_and_the_clients_is_logged_beside_it(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 11 item 12: a client cannot choose the id our logs and access log go by."""
    with caplog.at_level(logging.INFO, logger="mestring.http"):
        sane = client.get("/healthz", headers={"X-Request-ID": "phone-1234-abcd"})
        insane = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    ours = sane.headers["x-request-id"]
    assert ours != "phone-1234-abcd"
    assert re.fullmatch("[0-9a-f]{32}", ours)
    assert re.fullmatch("[0-9a-f]{32}", insane.headers["x-request-id"])
    lines = [r for r in caplog.records if r.getMessage() == "request"]
    assert [getattr(r, "client_request_id", None) for r in lines] == ["phone-1234-abcd", None]


def test_personal_responses_are_not_cached(client: TestClient) -> None:
    response = client.get("/v1/me")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_unknown_route_has_error_envelope(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found", "code": "not_found"}


def test_unhandled_error_is_a_plain_500_with_request_id(settings: Settings) -> None:
    app = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd SELECT * FROM users")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "trace-me-please"})
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Internal server error.",
        "code": "internal_error",
        "request_id": response.headers["x-request-id"],
    }
    assert "passwd" not in response.text


def test_docs_are_off_in_production_unless_enabled(database_url: str) -> None:
    settings = make_settings(database_url, env="production")
    with TestClient(create_app(settings)) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/openapi.json").status_code == 404
    enabled = make_settings(database_url, env="production", docs_in_production=True)
    with TestClient(create_app(enabled)) as client:
        assert client.get("/openapi.json").status_code == 200


def test_405_names_every_method_of_the_path(api: Api) -> None:
    """Found by the fuzzer: Allow named only the first route's method."""
    patient = api.patient()
    me = api.client.request("OPTIONS", "/v1/me", headers=patient.headers)
    assert me.status_code == 405
    assert me.headers["allow"] == "DELETE, GET, PATCH"
    summary = api.client.put("/v1/me/checkins/summary", json={}, headers=patient.headers)
    assert summary.status_code == 405  # not taken for a date
    assert summary.headers["allow"] == "GET"


def _security_headers(response: Any) -> dict[str, str | None]:
    return {
        name: response.headers.get(name)
        for name in (
            "x-frame-options",
            "content-security-policy",
            "referrer-policy",
            "strict-transport-security",
        )
    }


def test_every_answer_carries_the_security_headers(settings: Settings) -> None:
    """Issue 11 item 14: on success, refusal, early refusal (413, NUL) and the last-resort 500."""
    app = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        answers = [
            client.get("/healthz"),
            client.get("/v1/me"),
            client.get("/v1/nothing-here"),
            client.get("/v1/me/access-log", params={"cursor": "a\x00b"}),
            client.post("/v1/auth/register", content=b"x" * (65 * 1024)),
            client.get("/boom"),
        ]
    assert [a.status_code for a in answers] == [200, 401, 404, 422, 413, 500]
    for answer in answers:
        assert _security_headers(answer) == {
            "x-frame-options": "DENY",
            "content-security-policy": "frame-ancestors 'none'",
            "referrer-policy": "no-referrer",
            "strict-transport-security": None,  # not outside production unless asked for
        }


def test_hsts_is_on_in_production_and_can_be_set(database_url: str) -> None:
    production = make_settings(database_url, env="production")
    with TestClient(create_app(production)) as client:
        assert client.get("/healthz").headers["strict-transport-security"] == "max-age=31536000"
    off = make_settings(database_url, env="production", hsts_seconds=0)
    with TestClient(create_app(off)) as client:
        assert "strict-transport-security" not in client.get("/healthz").headers
    staging = make_settings(database_url, hsts_seconds=600)
    with TestClient(create_app(staging)) as client:
        assert client.get("/v1/me").headers["strict-transport-security"] == "max-age=600"
