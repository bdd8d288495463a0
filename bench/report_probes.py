"""What `bench.report` measures besides wall time, chosen to hold still on a loaded machine:
the PostgreSQL backend's CPU time per statement (utime + stime of the server process that
ran it, from `/proc/<pid>/stat`, 10 ms ticks; the server runs on this machine) and the time
this process spends in the cyclic garbage collector (`gc.callbacks`)."""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def backend_cpu_ms(pid: int) -> float:
    """The CPU time the server process `pid` has used so far (user + system), ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * _TICK_MS


def server_pid(connection: Any) -> int | None:
    """The backend pid behind a SQLAlchemy connection on asyncpg (None on another driver)."""
    raw = getattr(connection.connection.dbapi_connection, "_connection", None)
    get = getattr(raw, "get_server_pid", None)
    return int(get()) if get is not None else None


class StatementCpu:
    """Per statement text: the backend CPU of each execution (hook the engine's cursor events)."""

    def __init__(self) -> None:
        self.started: list[tuple[int | None, float]] = []
        self.runs: dict[str, list[float]] = defaultdict(list)
        self.request: list[float] = []  # the current request's statements

    def before(self, connection: Any) -> None:
        pid = server_pid(connection)
        self.started.append((pid, backend_cpu_ms(pid) if pid is not None else 0.0))

    def after(self, sql: str) -> None:
        pid, began = self.started.pop()
        if pid is not None:
            spent = backend_cpu_ms(pid) - began
            self.runs[" ".join(sql.split())[:90]].append(spent)
            self.request.append(spent)

    def slowest(self, n: int) -> list[tuple[float, float, int, str]]:
        """(median, sum, runs, statement) of the `n` statements with the most CPU."""
        rows = [(statistics.median(v), sum(v), len(v), sql) for sql, v in self.runs.items()]
        return sorted(rows, reverse=True)[:n]


class CollectorTime:
    """Time spent in the cyclic garbage collector, and its full (generation 2) passes."""

    def __init__(self) -> None:
        self.ms = 0.0
        self.full = 0
        self._began = 0.0

    def __enter__(self) -> CollectorTime:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def reset(self) -> None:
        self.ms, self.full = 0.0, 0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.process_time()
            return
        self.ms += (time.process_time() - self._began) * 1000
        self.full += info["generation"] == 2
