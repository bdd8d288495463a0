"""Server time of the console's pages (issue 18): a therapist with 50 patients.

    .venv/bin/python -m bench.console [--pg postgresql://postgres@127.0.0.1:5432/postgres]
        [--patients 50] [--days 90] [--n 30]

Builds a scratch database with the real migrations, seeds the bulk therapist with N patients
and D days of history each (`seed-demo --patients`), signs in through the console's own form
and asks each page `--n` times after 3 warm-ups, in-process (Starlette's test client: no
network, no server). Prints the median and 95th percentile of the wall time per request and
the median CPU time of this process per request (the database server's time is in the wall
figure only). Target: under 100 ms of server time per page.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable

import httpx2
from fastapi.testclient import TestClient

from app.dashboard.demo import BULK_PASSWORD, BULK_THERAPIST, seed_bulk
from app.main import create_app
from bench.scratch import bench_settings, scratch_database

TARGET_MS = 100.0


def _sign_in(client: TestClient) -> None:
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/console/login",
        data={"csrf_token": token.group(1), "email": BULK_THERAPIST, "password": BULK_PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def _measure(get: Callable[[], int], n: int) -> tuple[float, float, float]:
    for _ in range(3):
        assert get() == 200
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(n):
        c, w = time.process_time(), time.perf_counter()
        status = get()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert status == 200, status
    ordered = sorted(wall)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(wall), p95, statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    with scratch_database(args.pg, "bench_console") as url:
        settings = bench_settings(url.replace("postgresql://", "postgresql+asyncpg://"))
        app = create_app(settings)
        with TestClient(app, base_url="https://bench") as client:
            assert client.portal is not None
            services = app.state.services

            async def seed() -> None:
                async with services.sessions() as session:
                    await seed_bulk(
                        session, hasher=services.hasher, patients=args.patients, days=args.days
                    )

            client.portal.call(seed)
            _sign_in(client)
            first = client.get("/console/worklist")
            patient = re.search(r'data-patient-id="([^"]+)"', first.text)
            assert patient is not None
            pages: list[tuple[str, str]] = [
                ("worklist (flags first)", "/console/worklist"),
                ("worklist by name", "/console/worklist?sort=name"),
                ("worklist, one flag", "/console/worklist?flag=low_adherence"),
                ("patient page", f"/console/patients/{patient.group(1)}"),
                ("assign homework form", f"/console/patients/{patient.group(1)}/assignments/new"),
                ("access log", f"/console/patients/{patient.group(1)}/access-log"),
                ("invitations", "/console/invitations"),
            ]
            login = client.post(
                "/v1/auth/token", data={"username": BULK_THERAPIST, "password": BULK_PASSWORD}
            )
            bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
            # The API's JSON for the same reads, for comparison: what the page adds on top.
            api_pages: list[tuple[str, str]] = [
                ("API worklist (25)", "/v1/patients?limit=25"),
                ("API worklist, one flag", "/v1/patients?limit=25&flag=low_adherence"),
                ("API patient detail", f"/v1/patients/{patient.group(1)}"),
            ]
            print(f"{args.patients} patients x {args.days} days; {args.n} requests per page")
            with open("/proc/loadavg") as load:
                print(f"load average at start: {load.read().split()[0]}")
            print(f"{'page':<24} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8}  target")
            for name, path in [*pages, *api_pages]:
                headers = bearer if path.startswith("/v1/") else {}

                def get(path: str = path, headers: dict[str, str] = headers) -> int:
                    response: httpx2.Response = client.get(path, headers=headers)
                    return response.status_code

                p50, p95, cpu = _measure(get, args.n)
                verdict = "ok" if p50 < TARGET_MS else "OVER"
                print(
                    f"{name:<24} {p50:>8.1f} {p95:>8.1f} {cpu:>8.1f}  < {TARGET_MS:.0f} {verdict}"
                )


if __name__ == "__main__":
    main()
