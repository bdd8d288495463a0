"""Where a write request's Python calls go, phase by phase (issue 12): a deterministic profile.

    .venv/bin/python -m bench.phases --db postgresql://postgres@127.0.0.1:5432/<seeded db>

Drives the check-in and exercise-log writes in-process as `bench.cpu` does (its ASGI driver and
fresh sessions), and while 10 requests of each run, counts every call (Python and built-in)
with `sys.setprofile` and charges it to the innermost *phase marker* on the stack (a function
of ours or of the framework named in `_MARKERS`); a call under no marker is the event loop's
(asyncpg's protocol callbacks, the selector, task steps). Inside a phase, calls under a
SQLAlchemy entry point (`AsyncSession.execute`, `commit`, ...) are shown under that entry
point's name, so "session check / AsyncConnection.execute" is the ORM's share of that
statement. The counts are deterministic: two versions compare on a loaded machine.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from types import CodeType, FrameType
from typing import Any

import greenlet

from bench.cpu import _call, prepare

# (file suffix, qualified name) -> phase; the innermost marker on the stack names the phase.
_MARKERS: dict[tuple[str, str], str] = {
    ("bench/cpu.py", "_call"): "driver (bench)",
    ("app/core/middleware.py", "RequestContextMiddleware.__call__"): "request middleware",
    (
        "app/core/middleware.py",
        "RequestContextMiddleware.__call__.<locals>.send_wrapper",
    ): "request middleware",
    ("app/core/middleware.py", "_limited.<locals>.wrapper"): "request middleware",
    ("app/core/metrics.py", "HttpMetrics.observe"): "metrics",
    ("logging/__init__.py", "Logger.info"): "access log line",
    ("logging/__init__.py", "Logger.warning"): "logging (other)",
    ("app/core/location.py", "LocationMiddleware.__call__"): "held-answer mw",
    ("app/core/location.py", "LocationMiddleware.__call__.<locals>.hold"): "held-answer mw",
    ("app/idempotency/middleware.py", "IdempotencyMiddleware.__call__"): "held-answer mw",
    (
        "app/idempotency/middleware.py",
        "IdempotencyMiddleware.__call__.<locals>.hold",
    ): "held-answer mw",
    ("app/privacy/audit.py", "AccessAuditMiddleware.__call__"): "held-answer mw",
    ("fastapi/applications.py", "FastAPI.__call__"): "framework stack",
    ("app/core/dispatch.py", "FastDispatch.__call__"): "routing",
    ("app/core/handler.py", "LeanEndpoint.__call__"): "framework stack",
    ("app/core/handler.py", "LeanEndpoint.handle"): "handler (body, validate, serialise)",
    ("app/core/handler.py", "LeanEndpoint._body"): "handler (body, validate, serialise)",
    ("app/core/solver.py", "Plan.solve"): "dependency solving",
    ("fastapi/dependencies/utils.py", "request_params_to_args"): "params (path, query, header)",
    ("fastapi/dependencies/utils.py", "request_body_to_args"): "body validation",
    ("fastapi/dependencies/utils.py", "_solve_generator"): "session dependency's exit stack",
    ("app/core/query.py", "refuse_unknown_query"): "unknown-query check",
    ("fastapi/security/oauth2.py", "OAuth2PasswordBearer.__call__"): "bearer header",
    ("app/core/deps.py", "_session"): "session open/close",
    ("app/auth/deps.py", "_signed_in"): "session check",
    ("app/auth/deps.py", "_require.<locals>.dependency"): "role check",
    ("app/idempotency/deps.py", "_guard_for.<locals>.dependency"): "idempotency guard",
    ("app/exercises/router.py", "create_exercise_log"): "endpoint",
    ("app/checkins/router.py", "put_checkin"): "endpoint",
    ("app/exercises/logs.py", "record_log"): "log write",
    ("app/checkins/service.py", "write_checkin"): "check-in write",
    ("app/checkins/service.py", "_write_if_current"): "check-in upsert",
    ("app/boosters/rule_service.py", "evaluate_after_checkin"): "rule context",
    ("app/core/db.py", "AppSession.commit"): "commit",
    ("app/core/rawsql.py", "fetch"): "raw statement",
    ("app/core/rawsql.py", "fetchrow"): "raw statement",
    ("app/core/rawsql.py", "driver_of"): "raw statement",
}
_SA_ENTRY = "sqlalchemy/ext/asyncio/"


class Phases:
    """A `sys.setprofile` hook that counts calls per (phase, SQLAlchemy entry point)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.callees: Counter[tuple[str, str]] = Counter()
        self._phase: dict[CodeType, str | None] = {}

    def _marker(self, code: CodeType) -> str | None:
        try:
            return self._phase[code]
        except KeyError:
            filename = code.co_filename.replace("\\", "/")
            found = None
            for (suffix, qualname), phase in _MARKERS.items():
                if qualname == code.co_qualname and filename.endswith(suffix):
                    found = phase
                    break
            self._phase[code] = found
            return found

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event not in ("call", "c_call"):
            return
        callee = frame.f_code.co_qualname if event == "call" else getattr(arg, "__qualname__", "?")
        entry = ""
        current: FrameType | None = frame
        runner = greenlet.getcurrent()
        while True:
            while current is not None:
                code = current.f_code
                phase = self._marker(code)
                if phase is not None:
                    self.counts[(phase, entry)] += 1
                    self.callees[(phase, callee)] += 1
                    return
                if _SA_ENTRY in code.co_filename:
                    entry = code.co_qualname
                current = current.f_back
            # SQLAlchemy's sync work runs in a greenlet whose stack ends at its own start: go
            # on from where the awaiting side switched into it (`greenlet_spawn`).
            runner = runner.parent
            if runner is None:
                break
            current = runner.gr_frame
        self.counts[("event loop (no marker)", entry)] += 1
        self.callees[("event loop (no marker)", callee)] += 1


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--n", type=int, default=10, help="profiled requests per endpoint")
    parser.add_argument("--warm", type=int, default=60)
    parser.add_argument("--callees", default="", help="a phase whose callees to list")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    app, makers, stop = await prepare(args.db)
    try:
        for name in ("PUT checkin", "POST exercise-log"):
            make = makers[name]
            for i in range(args.warm):
                await _call(app, *make(i))
            phases = Phases()
            sys.setprofile(phases)
            try:
                for i in range(args.n):
                    await _call(app, *make(args.warm + i))
            finally:
                sys.setprofile(None)
            total = sum(phases.counts.values()) / args.n
            print(f"\n{name}: {total:.0f} calls per request")
            by_phase: Counter[str] = Counter()
            for (phase, _entry), count in phases.counts.items():
                by_phase[phase] += count
            for phase, count in by_phase.most_common():
                print(f"  {count / args.n:7.0f}  {phase}")
                for (inner, entry), sub in sorted(phases.counts.items(), key=lambda kv: -kv[1]):
                    if inner == phase and entry and sub / args.n >= 5:
                        print(f"  {'':7}  {sub / args.n:7.0f}  under {entry}")
            for (phase, callee), count in phases.callees.most_common():
                if phase == args.callees and count / args.n >= 1:
                    print(f"    {count / args.n:6.0f}  {callee}")
    finally:
        await stop()


if __name__ == "__main__":
    if "uvloop" in sys.argv:  # as uvicorn runs the app: the loop's own work is C code
        import uvloop

        uvloop.run(main())
    else:
        asyncio.run(main())
