"""Prometheus metrics: request count and latency by route template and status.

With several worker processes, PROMETHEUS_MULTIPROC_DIR names a directory where every worker
writes its values and from which `/metrics` adds them all up. It must be writable and start
empty: `mestring serve` checks and clears it before the workers start.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# The files prometheus-client writes there (`counter_1234.db`, `gauge_livesum_1234.db`, …);
# clearing touches nothing else, so a mistaken path cannot cost anyone their data.
_METRIC_FILE = re.compile(r"^(counter|histogram|summary|gauge_[a-z]+)_\d+\.db$")


class MetricsDirError(Exception):
    """PROMETHEUS_MULTIPROC_DIR cannot be used; the message says what to do."""


def multiprocess_dir() -> Path | None:
    """The directory of multi-process metrics, checked; None when not configured."""
    raw = os.environ.get(MULTIPROC_ENV)
    if not raw:
        return None
    directory = Path(raw)
    advice = "mount an empty, writable volume there (see README, Running in production)"
    if not directory.is_dir():
        raise MetricsDirError(f"{MULTIPROC_ENV}={raw} is not a directory; {advice}")
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise MetricsDirError(
            f"{MULTIPROC_ENV}={raw} is not writable ({exc.strerror}); {advice}"
        ) from exc
    # prometheus-client reads every *.db file there; a stranger would make /metrics fail.
    strangers = sorted(e.name for e in directory.glob("*.db") if not _METRIC_FILE.match(e.name))
    if strangers:
        raise MetricsDirError(
            f"{MULTIPROC_ENV}={raw} holds files that are not metrics ({', '.join(strangers[:3])}); "
            f"{advice}"
        )
    return directory


def clear_multiprocess_dir(directory: Path) -> int:
    """Remove the metric files an earlier run left behind; returns how many."""
    removed = 0
    for entry in directory.iterdir():
        if _METRIC_FILE.match(entry.name) and entry.is_file():
            try:
                entry.unlink(missing_ok=True)
            except OSError as exc:
                raise MetricsDirError(
                    f"cannot remove {entry} left by an earlier run ({exc.strerror}); mount an "
                    "empty volume there, writable by this user"
                ) from exc
            removed += 1
    return removed


class HttpMetrics:
    """One registry per app (several apps can live in one test process)."""

    def __init__(self) -> None:
        multiprocess_dir()  # a worker with an unusable directory fails at start, not at /metrics
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mestring_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mestring_http_request_duration_seconds",
            "Request latency by method and route template.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )

        self.push = PushMetrics(self.registry)  # the in-process reminder loop (SQLite)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        """The text exposition; across workers when PROMETHEUS_MULTIPROC_DIR is set."""
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class PushMetrics:
    """What the reminder worker did (issue 17): pushes the push services accepted, deliveries
    that failed, devices dropped because their subscription is gone, outbox rows by outcome,
    and the queue lag (age of the oldest outbox row still waiting to be delivered)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.sent = Counter(
            "mestring_push_sent", "Deliveries a push service accepted.", registry=registry
        )
        self.failed = Counter(
            "mestring_push_failed", "Deliveries that failed (retried later).", registry=registry
        )
        self.dropped = Counter(
            "mestring_push_dropped_devices",
            "Devices dropped because the push service said the subscription is gone.",
            registry=registry,
        )
        self.outcomes = Counter(
            "mestring_push_outbox",
            "Outbox rows finished, by outcome (sent, skipped, expired, failed, no_device).",
            ["outcome"],
            registry=registry,
        )
        self.queue_lag = Gauge(
            "mestring_push_queue_lag_seconds",
            "Age of the oldest outbox row not yet delivered (0 when none waits).",
            registry=registry,
            multiprocess_mode="max",
        )

    def record(self, status: str, *, sent: int, failed: int, dropped: int) -> None:
        """Count one delivery run."""
        self.sent.inc(sent)
        self.failed.inc(failed)
        self.dropped.inc(dropped)
        if status not in ("busy", "pending"):
            self.outcomes.labels(status).inc()
