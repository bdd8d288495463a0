"""Prometheus metrics: request count and latency by route template and status.

With several worker processes, PROMETHEUS_MULTIPROC_DIR names a directory where every worker
writes its values and from which `/metrics` adds them all up. It must be writable and start
empty: `mestring serve` checks and clears it before the workers start.
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

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
        # The labelled children of each (method, route, status), as `labels()` returns them:
        # prometheus-client keeps them for good anyway, and looking them up again (label
        # checks, a lock) cost ~20 Python calls per request (issue 12).
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The text exposition; across workers when PROMETHEUS_MULTIPROC_DIR is set."""
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry) + generate_latest(PROCESS_REGISTRY)


class PushMetrics:
    """Push deliveries (app/devices). Process-wide, not per app: the reminder worker sends
    without an app, and in one process every app instance shows the same counts."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.deliveries = Counter(
            "mestring_push_deliveries",
            "Push messages handed to a push service, by platform and outcome "
            "(sent, gone, failed: to retry, refused: not retried).",
            ["platform", "outcome"],
            registry=registry,
        )
        self.devices_dropped = Counter(
            "mestring_push_devices_dropped",
            "Devices deleted because their push service said the subscription is gone.",
            ["platform"],
            registry=registry,
        )


class WorkerMetrics:
    """The reminder worker (issue 17; app/reminders): outbox rows finished by outcome,
    delivery runs that failed (retried with back-off), and the queue lag: the age of the oldest
    outbox row still waiting. Deliveries per device and dropped devices are PushMetrics'."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.outcomes = Counter(
            "mestring_push_outbox",
            "Outbox rows finished, by outcome (sent, skipped, expired, failed, no_device).",
            ["outcome"],
            registry=registry,
        )
        self.failed = Counter(
            "mestring_push_delivery_runs_failed",
            "Delivery runs that failed and will be retried (push service or database errors).",
            registry=registry,
        )
        self.queue_lag = Gauge(
            "mestring_push_queue_lag_seconds",
            "Age of the oldest outbox row not yet delivered (0 when none waits).",
            registry=registry,
            multiprocess_mode="max",
        )

    def record(self, status: str) -> None:
        """Count one delivery run by the status it left its outbox row in."""
        if status not in ("busy", "pending"):
            self.outcomes.labels(status).inc()


# Metrics of work done outside requests (push senders; the reminder worker's own).
PROCESS_REGISTRY = CollectorRegistry()
push_metrics = PushMetrics(PROCESS_REGISTRY)


@lru_cache(maxsize=1)
def worker_metrics() -> WorkerMetrics:
    """Made at first use (the worker, the in-process loop), never at import: an unlabelled
    metric writes its file under PROMETHEUS_MULTIPROC_DIR as it is made, and `mestring serve`
    must check and clear that directory first."""
    return WorkerMetrics(PROCESS_REGISTRY)
