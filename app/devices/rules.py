"""Which Web Push endpoints the server will POST to (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from app.core.config import Settings


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """`host` is one of `allowed` or a subdomain of one (`eu.notify.windows.com` under
    `notify.windows.com`); never a mere suffix (`evilnotify.windows.com` is not)."""
    host = host.lower().rstrip(".")
    return any(host == item or host.endswith("." + item) for item in allowed)


def endpoint_allowed(endpoint: str, settings: Settings) -> bool:
    """An https URL on a configured push service host (http too, where the settings allow)."""
    parts = urlsplit(endpoint)
    schemes = ("https", "http") if settings.webpush_allow_http else ("https",)
    host = parts.hostname
    return (
        parts.scheme in schemes and host is not None and host_allowed(host, settings.webpush_hosts)
    )
