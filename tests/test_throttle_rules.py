"""The pure parts of throttling, computed by hand: the back-off table and the client address."""

from __future__ import annotations

import ipaddress

import pytest

from app.core.middleware import resolve_client
from app.throttle.rules import Backoff, backoff_seconds


@pytest.mark.parametrize(
    ("failures", "expected"),
    # free 5, base 30 s, cap 900 s: nothing for the first four, then 30 · 2^(n-5), capped.
    [(0, 0), (1, 0), (4, 0), (5, 30), (6, 60), (7, 120), (8, 240), (9, 480), (10, 900), (64, 900)],
)
def test_backoff_table(failures: int, expected: int) -> None:
    assert backoff_seconds(failures, free=5, base=30, cap=900) == expected


def test_backoff_steps_are_what_the_sql_case_is_built_from() -> None:
    rule = Backoff("login-account", free=5, base=30, cap=900)
    assert rule.steps() == [(5, 30), (6, 60), (7, 120), (8, 240), (9, 480)]
    assert Backoff("x", free=1, base=600, cap=900).steps() == [(1, 600)]
    assert Backoff("x", free=3, base=900, cap=900).steps() == []


TRUSTED = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # No trusted peer: the header is whatever the client wrote, never believed.
        ("192.0.2.1", ["203.0.113.9"], "192.0.2.1"),
        ("testclient", ["203.0.113.9"], "testclient"),
        # One trusted proxy: the address it appended (right-most).
        ("10.0.0.5", ["203.0.113.9"], "203.0.113.9"),
        ("10.0.0.5", ["198.51.100.1, 203.0.113.9"], "203.0.113.9"),
        # Two trusted hops: skip the inner proxy, take the first address not trusted.
        ("10.0.0.5", ["203.0.113.9, 10.0.0.7"], "203.0.113.9"),
        ("10.0.0.5", ["203.0.113.9", "10.0.0.7"], "203.0.113.9"),  # header sent twice
        # Ports and brackets are dropped; IPv6 works alike.
        ("10.0.0.5", ["203.0.113.9:5555"], "203.0.113.9"),
        ("2001:db8::1", ["[2001:db8:ffff::2]:443, 2001:0db8::9"], "2001:db8:ffff::2"),
        ("10.0.0.5", ["2001:db8::9, 198.51.100.4"], "198.51.100.4"),
        # Only trusted hops, or none at all: the left-most trusted one (nothing better known).
        ("10.0.0.5", ["10.0.0.9"], "10.0.0.9"),
        ("10.0.0.5", [], "10.0.0.5"),
        # Garbage from a trusted hop: believe no further than the hop that wrote it.
        ("10.0.0.5", ["not-an-ip, 10.0.0.8"], "10.0.0.8"),
        (None, ["203.0.113.9"], "unknown"),
    ],
)
def test_client_address(peer: str | None, forwarded: list[str], expected: str) -> None:
    assert resolve_client(peer, forwarded, TRUSTED) == expected
