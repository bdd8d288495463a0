"""/metrics answers only to the configured bearer token, or to a direct connection from a
configured network; with nothing configured it answers nobody (issue 11 item 14)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings

TOKEN = "metrics-token-0123456789-abcdefghijklmnopqrstuvwxyz"
REFUSED = {
    "detail": "Metrics are only served to a configured token or network.",
    "code": "metrics_forbidden",
}


@contextmanager
def scraper(database_url: str, peer: str = "127.0.0.1", **settings: object) -> Iterator[TestClient]:
    app = create_app(make_settings(database_url, **settings))
    with TestClient(app, client=(peer, 40000)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "10.1.2.3"])
def test_nothing_configured_means_nobody_not_even_loopback(database_url: str, peer: str) -> None:
    with scraper(database_url, peer) as client:
        response = client.get("/metrics", headers=bearer(TOKEN))
    assert response.status_code == 403
    assert response.json() == REFUSED
    assert "mestring_http_requests" not in response.text


def test_the_token_opens_it_from_anywhere_even_through_a_proxy(database_url: str) -> None:
    with scraper(database_url, "203.0.113.9", metrics_token=TOKEN) as client:
        client.get("/healthz")
        direct = client.get("/metrics", headers=bearer(TOKEN))
        proxied = client.get(
            "/metrics", headers={**bearer(TOKEN), "X-Forwarded-For": "198.51.100.7"}
        )
        lower_case_scheme = client.get("/metrics", headers={"Authorization": f"bearer {TOKEN}"})
    assert direct.status_code == proxied.status_code == lower_case_scheme.status_code == 200
    assert 'mestring_http_requests_total{method="GET",route="/healthz",status="200"}' in direct.text


@pytest.mark.parametrize(
    "authorization",
    [None, f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer "],
)
def test_anything_but_the_token_is_refused(database_url: str, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    with scraper(database_url, "203.0.113.9", metrics_token=TOKEN) as client:
        response = client.get("/metrics", headers=headers)
    assert response.status_code == 403
    assert response.json() == REFUSED


@pytest.mark.parametrize(
    ("peer", "allowed"),
    [
        ("10.20.30.40", True),
        ("10.255.0.1", True),
        ("::ffff:10.20.30.40", True),  # an IPv4 peer on a dual-stack listener
        ("fd00:aa::5", True),
        ("11.0.0.1", False),
        ("fd00:bb::5", False),
        ("testclient", False),  # not an address at all
    ],
)
def test_a_direct_connection_from_an_allowed_network(
    database_url: str, peer: str, *, allowed: bool
) -> None:
    with scraper(database_url, peer, metrics_networks="10.0.0.0/8, fd00:aa::/32") as client:
        response = client.get("/metrics")
    assert response.status_code == (200 if allowed else 403), response.text


@pytest.mark.parametrize(
    "forwarded",
    [
        {"X-Forwarded-For": "10.20.30.41"},
        {"Forwarded": "for=10.20.30.41"},
        {"X-Real-IP": "10.20.30.41"},
    ],
)
def test_a_proxied_request_is_never_let_in_by_its_peer_address(
    database_url: str, forwarded: dict[str, str]
) -> None:
    """Behind a reverse proxy in the allowed network every request has the proxy's address."""
    with scraper(database_url, "10.20.30.40", metrics_networks="10.0.0.0/8") as client:
        response = client.get("/metrics", headers=forwarded)
    assert response.status_code == 403
    assert response.json() == REFUSED
