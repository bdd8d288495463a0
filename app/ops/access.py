"""Who may read /metrics: a bearer token, or a direct connection from an allowed network.

Nothing configured means nobody: the counters describe the service's traffic, which is nobody's
business by default, and a default that allowed loopback would open /metrics to the whole
internet behind a reverse proxy on the same host (every request then comes from 127.0.0.1).
A request that carries a forwarding header came through a proxy, so its peer address says
nothing about the client: only the token admits it. Prometheus scrapes directly, and sends the
token with `authorization: {credentials_file: ...}` (README, Running in production).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Request

from app.core.deps import ServicesDep
from app.core.errors import Forbidden

_FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _token_matches(authorization: str | None, token: str | None) -> bool:
    if not token or not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _direct_peer_allowed(request: Request, networks: Sequence[Network]) -> bool:
    if not networks or request.client is None:
        return False
    if any(name in request.headers for name in _FORWARDING_HEADERS):
        return False
    try:
        peer = ipaddress.ip_address(request.client.host)
    except ValueError:  # a unix socket or a test client has no IP address
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped:  # dual-stack listener
        peer = peer.ipv4_mapped
    return any(peer.version == net.version and peer in net for net in networks)


async def _metrics_reader(request: Request, services: ServicesDep) -> None:
    settings = services.settings
    if _token_matches(request.headers.get("authorization"), settings.metrics_token):
        return
    if _direct_peer_allowed(request, settings.metrics_networks):
        return
    raise Forbidden(
        "Metrics are only served to a configured token or network.", code="metrics_forbidden"
    )


MetricsReader = Annotated[None, Depends(_metrics_reader)]
