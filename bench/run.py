"""Load benchmark: the app against the raw-driver floor (bench/floor.py), interleaved.

    .venv/bin/python -m bench.run [--reps 3] [--seconds 10] [--scale 50:365,500:365,5000:365]

Needs PostgreSQL (BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres; it
creates and drops databases named mestring_bench*, or `--name`*) and `wrk`. Servers are pinned
to core 0, wrk to core 1. Prints the ratio table, the worklist scale curve and the app's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import jwt

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = os.environ.get("BENCH_SECRET") or secrets.token_urlsafe(48)
TICK = os.sysconf("SC_CLK_TCK")
ENDPOINTS = ("checkin_put", "exercise_log_post", "today_get", "worklist_get")
TARGETS = {"checkin_put": 0.5, "exercise_log_post": 0.5, "today_get": 0.4, "worklist_get": 0.7}
SERVERS = {"app": "app.main:app", "floor": "bench.floor:app"}


def db_url(name: str) -> str:
    return PG.rsplit("/", 1)[0] + "/" + name


def sh(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, check=True, capture_output=True, text=True, env=env, cwd=ROOT)
    return done.stdout


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(PG)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def seed_template(name: str, patients: int, days: int) -> float:
    await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin(f"CREATE DATABASE {name}")
    env = {**os.environ, "MESTRING_DATABASE_URL": db_url(name), "MESTRING_SECRET_KEY": SECRET}
    started = time.perf_counter()
    sh(str(VENV / "mestring"), "migrate", env=env)
    sh(
        str(VENV / "mestring"),
        "seed-demo",
        "--patients",
        str(patients),
        "--days",
        str(days),
        env=env,
    )
    return time.perf_counter() - started


async def fresh(name: str, template: str) -> None:
    await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin(f"CREATE DATABASE {name} TEMPLATE {template}")


def token(user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": "mestring",
        "aud": "mestring-api",
        "sub": str(user_id),
        "sid": str(session_id),
        "jti": secrets.token_hex(8),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=15)).timestamp()),
    }
    return jwt.encode(claims, SECRET, algorithm="HS256")


async def tokens(name: str, patients: int) -> tuple[list[str], str]:
    """Fresh sessions and access tokens for `patients` bulk patients and their therapist."""
    conn = await asyncpg.connect(db_url(name))
    try:
        users = await conn.fetch(
            "SELECT id FROM users WHERE email LIKE 'bulk-patient-%' ORDER BY email LIMIT $1",
            patients,
        )
        therapist = await conn.fetchval(
            "SELECT id FROM users WHERE email = 'bulk-therapist@demo.example.com'"
        )
        out = []
        for user_id in [r["id"] for r in users] + [therapist]:
            sid = uuid.uuid4()
            await conn.execute(
                "INSERT INTO auth_sessions (id, user_id, created_at) VALUES ($1, $2, now())",
                sid,
                user_id,
            )
            out.append(token(user_id, sid))
        return out[:-1], out[-1]
    finally:
        await conn.close()


def lua(endpoint: str, patient_tokens: list[str], therapist_token: str) -> str:
    today = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    started = (datetime.now(UTC) - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    toks = [therapist_token] if endpoint == "worklist_get" else patient_tokens
    answers = json.dumps({f"rtw{i:02d}": 4 for i in range(1, 12)})
    head = (
        "local tokens = {" + ",".join(f'"{t}"' for t in toks) + "}\nlocal i = 0\n"
        "math.randomseed(os.time())\n"
        "local function uuid4()\n"
        "  return (string.gsub('xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx', '[xy]', function(c)\n"
        "    local v = (c == 'x') and math.random(0, 15) or math.random(8, 11)\n"
        "    return string.format('%x', v) end))\nend\n"
        "request = function()\n  i = i + 1\n  local t = tokens[(i % #tokens) + 1]\n"
        '  local h = {["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"}\n'
    )
    body = {
        "checkin_put": f"  return wrk.format('PUT', '/v1/me/checkins/{today}', h, "
        f'\'{{"answers": {answers}, "mood": 6}}\')\n',
        "exercise_log_post": '  local b = \'{"id": "\' .. uuid4() .. \'", "exercise_kind": '
        f'"attention_training", "started_at": "{started}", "duration_seconds": 700, '
        '"phases_completed": ["selective", "switching", "divided"], '
        '"self_focus_before": 2, "self_focus_after": 0}\'\n'
        "  return wrk.format('POST', '/v1/me/exercise-logs', h, b)\n",
        "today_get": "  return wrk.format('GET', '/v1/me/today', h)\n",
        "worklist_get": "  return wrk.format('GET', '/v1/patients?limit=50', h)\n",
    }[endpoint]
    return head + body + "end\n"


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(kind: str, name: str, log: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "MESTRING_DATABASE_URL": db_url(name),
        "MESTRING_SECRET_KEY": SECRET,
        "MESTRING_ENV": "production",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [
            "taskset",
            "-c",
            "0",
            str(VENV / "uvicorn"),
            SERVERS[kind],
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(1200):  # up to 2 minutes: a loaded machine imports slowly
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return Server(proc, port)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{kind} did not start; see {log}")


def wrk(server: Server, script: Path, seconds: int, connections: int = 16) -> dict[str, float]:
    before = server.cpu_seconds()
    out = sh(
        "taskset",
        "-c",
        "1",
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{server.port}",
    )
    cpu = server.cpu_seconds() - before

    def latency(pct: str) -> float:
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert m, out
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(g) for g in sock.groups()) if sock else 0
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {
        "rps": rps,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": errors,
        "cpu_us": cpu * 1e6 / max(requests, 1),
    }


def timed_gets(port: int, path: str, auth: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {auth}"}
        )
        t = time.perf_counter()
        with urllib.request.urlopen(req) as answer:  # our own local server
            assert answer.status == 200
            answer.read()
        times.append((time.perf_counter() - t) * 1000)
    return times


def get_json(port: int, path: str, auth: str) -> object:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {auth}"}
    )
    with urllib.request.urlopen(req) as answer:  # our own local server
        return json.loads(answer.read())


def _instant(row: dict[str, object]) -> object:
    """The next meeting's instant, compared as a moment (the floor writes +00:00, the app Z)."""
    work = row["work_focus"]
    assert isinstance(work, dict)
    value = work["next_meeting_at"]
    return None if value is None else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def numbers(kind: str, answer: object) -> object:
    """The figures the floor and the app must agree on (the floor leaves out some fields)."""
    if kind == "today":
        assert isinstance(answer, dict)
        return {
            "local_date": answer["local_date"],
            "checkin_done": answer["checkin_done"],
            "assignments": sorted(
                (a["id"], a["period"], a["prescribed"], a["done"], a["worry_time"])
                for a in answer["assignments"]
            ),
            "diary": answer["diary"],
            "follow_ups_due": sorted(f["id"] for f in answer["follow_ups_due"]),
            "booster_requests": answer["booster_requests"],
        }
    assert isinstance(answer, dict)
    keys = (
        "patient_id",
        "local_date",
        "last_checkin_on",
        "rtw_se_mean_7d",
        "rtw_se_checkins_7d",
        "rtw_se_band",
        "rtw_se_change_7d",
        "rtw_se_rule_mean",
        "adherence_7d",
        "adherence_28d",
        "booster_requests",
        "follow_ups_due",
        "flags",
    )
    week = ("week", "week_start", "actual_grade", "planned_grade", "above_plan", "complete")
    measure = ("score", "change_from_first")
    return [
        {
            **{k: row[k] for k in keys},
            "work_week": {k: row["work_week"][k] for k in week},
            "risk_alerts": {k: row["risk_alerts"][k] for k in ("unacknowledged", "overdue")},
            "work_focus": {**row["work_focus"], "next_meeting_at": _instant(row)},
            **{
                m: None if row[m] is None else {k: row[m][k] for k in measure}
                for m in ("phq9", "gad7")
            },
        }
        for row in answer["data"]
    ]


def snapshot(port: int, patient_tokens: list[str], therapist_token: str) -> dict[str, object]:
    """What the equality check compares: the worklist page and a few patients' today."""
    seen: dict[str, object] = {
        "worklist": numbers("worklist", get_json(port, "/v1/patients?limit=50", therapist_token))
    }
    for i, tok in enumerate(patient_tokens[:10]):
        seen[f"today {i}"] = numbers("today", get_json(port, "/v1/me/today", tok))
    return seen


def differences(app: dict[str, object], floor: dict[str, object]) -> list[str]:
    found = []
    for key, value in app.items():
        if value != floor[key]:
            found.append(f"{key}: app {value!r}\n    floor {floor[key]!r}")
    return found


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scale", default="50:365,500:365,5000:365")
    parser.add_argument(
        "--check-only", action="store_true", help="seed, run the floor = app check, stop"
    )
    parser.add_argument(
        "--name", default="mestring_bench", help="scratch database names' prefix (shared machines)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mestring-bench-"))
    log = work / "servers.log"
    print(f"load average before: {os.getloadavg()}; logs in {work}", flush=True)
    took = await seed_template(f"{args.name}_tpl", args.patients, args.days)
    print(f"seeded {args.patients} patients x {args.days} days in {took:.1f} s", flush=True)
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    rss: list[float] = []
    snapshots: dict[tuple[int, str], dict[str, object]] = {}
    for rep in range(args.reps):
        order = ("app", "floor") if rep % 2 == 0 else ("floor", "app")
        for kind in order:
            await fresh(args.name, f"{args.name}_tpl")
            patient_tokens, therapist_token = await tokens(args.name, 50)
            server = start(kind, args.name, log)
            try:
                # Before any write: both servers see the same fresh copy of the template.
                snapshots[(rep, kind)] = snapshot(server.port, patient_tokens, therapist_token)
                for endpoint in () if args.check_only else ENDPOINTS:
                    script = work / f"{endpoint}.lua"
                    script.write_text(lua(endpoint, patient_tokens, therapist_token))
                    # The worklist is a slow read: 2 connections, so no request times out.
                    conns = 2 if endpoint == "worklist_get" else 16
                    wrk(server, script, 2, conns)  # warm-up
                    result = wrk(server, script, args.seconds, conns)
                    results.setdefault((kind, endpoint), []).append(result)
                    print(f"rep {rep + 1} {kind:5} {endpoint:18} {result}", flush=True)
                if kind == "app":
                    rss.append(server.peak_rss_mb())
            finally:
                server.stop()
    unequal = [
        f"rep {rep + 1} {d}"
        for rep in range(args.reps)
        for d in differences(snapshots[(rep, "app")], snapshots[(rep, "floor")])
    ]
    print(
        "\nfloor = app (worklist page and 10 patients' today, every repetition): "
        + ("passed" if not unequal else f"FAILED, {len(unequal)} differences"),
        flush=True,
    )
    for line in unequal[:20]:
        print("  " + line)
    if args.check_only:
        return 1 if unequal else 0
    print(
        "\n| endpoint | app req/s | floor req/s | app p50/p99 ms | floor p50/p99 ms | errors |"
        " app CPU µs/req | floor CPU µs/req | ratio (median) | target |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for endpoint in ENDPOINTS:
        a, f = results[("app", endpoint)], results[("floor", endpoint)]
        ratio = statistics.median(x["rps"] / y["rps"] for x, y in zip(a, f, strict=True))

        def med(rows: list[dict[str, float]], key: str) -> float:
            return statistics.median(r[key] for r in rows)

        errors = sum(r["errors"] for r in a + f)
        print(
            f"| {endpoint} | {med(a, 'rps'):.0f} | {med(f, 'rps'):.0f} | "
            f"{med(a, 'p50'):.1f}/{med(a, 'p99'):.1f} | {med(f, 'p50'):.1f}/{med(f, 'p99'):.1f}"
            f" | {errors:.0f} | {med(a, 'cpu_us'):.0f} | {med(f, 'cpu_us'):.0f} | {ratio:.2f} |"
            f" ≥ {TARGETS[endpoint]} {'met' if ratio >= TARGETS[endpoint] else 'MISSED'} |"
        )
    print(f"\npeak RSS of the app worker over the runs: {max(rss):.0f} MB")
    print(
        "\n| patients x days | seed s | app p50 ms | app p95 ms | floor p50 ms | floor p95 ms |"
        " app ÷ floor (p95) | app peak RSS MB | load average |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for item in args.scale.split(","):
        patients, days = (int(x) for x in item.split(":"))
        took = await seed_template(f"{args.name}_scale", patients, days)
        _, therapist_token = await tokens(f"{args.name}_scale", 0)
        seen: dict[str, tuple[float, float, float]] = {}
        for kind in ("app", "floor"):
            server = start(kind, f"{args.name}_scale", log)
            try:
                path = "/v1/patients?limit=50"
                timed_gets(server.port, path, therapist_token, 3)
                times = timed_gets(server.port, path, therapist_token, 30)
                seen[kind] = (pct(times, 50), pct(times, 95), server.peak_rss_mb())
            finally:
                server.stop()
        (a50, a95, rss_mb), (f50, f95, _) = seen["app"], seen["floor"]
        print(
            f"| {patients} x {days} | {took:.0f} | {a50:.0f} | {a95:.0f} | {f50:.0f} | {f95:.0f} |"
            f" {a95 / f95:.1f} | {rss_mb:.0f} | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
    print(f"\nload average after: {os.getloadavg()}")
    return 1 if unequal else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
