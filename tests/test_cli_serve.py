"""`mestring serve` and `mestring migrate` as the container runs them: clear failures (one JSON
line, exit code 2), no rejected secret in the output, a checked metrics directory, JSON lines
from uvicorn itself, and one set of metrics across workers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ops_helpers import MESTRING, command_env, free_port, json_lines, mestring

PLANTED = "Planted-Password-5e4d3c2b1a"
TOKEN = "metrics-token-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_production_without_a_database_url_is_one_line_and_exit_2(command: str) -> None:
    result = mestring(command, env=command_env(MESTRING_ENV="production"))
    assert result.returncode == 2, result.stdout
    [line] = json_lines(result.stdout)
    assert line["level"] == "error"
    assert line["msg"] == (
        "configuration error: MESTRING_DATABASE_URL (or MESTRING_DATABASE_URL_FILE) must be set "
        "when MESTRING_ENV=production"
    )


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"MESTRING_DATABASE_URL": f"postgresql://app:{PLANTED}@db:port/x"}, 2),
        ({"MESTRING_DATABASE_URL": "sqlite:///x.db", "MESTRING_SECRET_KEY": PLANTED}, 2),
        # Reached no database: the URL and its password stay out of the error line.
        ({"MESTRING_DATABASE_URL": f"postgresql://app:{PLANTED}@127.0.0.1:1/x"}, 1),
    ],
)
def test_migrate_never_echoes_a_secret(values: dict[str, str], code: int) -> None:
    result = mestring("migrate", env=command_env(MESTRING_ENV="production", **values))
    assert result.returncode == code, result.stdout
    lines = json_lines(result.stdout)
    assert lines[-1]["level"] == "error"
    assert PLANTED not in result.stdout
    assert "Traceback" not in result.stdout


def test_the_metrics_directory_is_checked_before_serving(tmp_path: Path) -> None:
    env = command_env(MESTRING_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}")
    missing = mestring("serve", env={**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "nope")})
    assert missing.returncode == 2
    [line] = json_lines(missing.stdout)
    assert line["msg"].startswith(f"cannot serve: PROMETHEUS_MULTIPROC_DIR={tmp_path / 'nope'} is")
    assert "mount an empty, writable volume there" in line["msg"]

    several = mestring("serve", "--workers", "3", env=env)
    assert several.returncode == 2
    assert "3 workers need PROMETHEUS_MULTIPROC_DIR" in json_lines(several.stdout)[0]["msg"]
    from_env = mestring("serve", env={**env, "WEB_CONCURRENCY": "2"})
    assert "2 workers need PROMETHEUS_MULTIPROC_DIR" in json_lines(from_env.stdout)[0]["msg"]


def test_a_metrics_directory_the_server_cannot_write_stops_it(tmp_path: Path) -> None:
    """As the image's user a read-only directory; as root (who may write any directory) one
    on sysfs, where nobody may create a file."""
    if os.geteuid() == 0:
        directory = Path("/sys/kernel")
    else:
        directory = tmp_path / "read-only"
        directory.mkdir(mode=0o555)
    env = command_env(
        MESTRING_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
        PROMETHEUS_MULTIPROC_DIR=str(directory),
    )
    result = mestring("serve", env=env)
    assert result.returncode == 2, result.stdout
    [line] = json_lines(result.stdout)
    assert f"PROMETHEUS_MULTIPROC_DIR={directory} is not writable (" in line["msg"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left by an earlier run")
    (metrics_dir / "lost+found").mkdir()  # what a fresh volume may hold; left alone
    port = free_port()
    env = command_env(
        MESTRING_ENV="production",
        MESTRING_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}",
        MESTRING_METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        WEB_CONCURRENCY="2",
    )
    log = tmp_path / "stdout.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own command)
            [MESTRING, "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield base, process, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def scraped_healthz(base: str) -> float:
    text = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    found = re.search(
        r'^mestring_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$',
        text,
        re.MULTILINE,
    )
    return float(found.group(1)) if found else 0.0


def test_two_workers_one_set_of_metrics_and_json_from_start_to_stop(
    server: tuple[str, subprocess.Popen[str], Path],
) -> None:
    base, process, log = server
    for _ in range(29):  # plus the readiness poll's successful one: at least 30
        response = httpx.get(f"{base}/healthz", headers={"Connection": "close"})
        assert response.status_code == 200
        assert "server" not in response.headers  # uvicorn does not advertise itself
    counts = {scraped_healthz(base) for _ in range(6)}  # scrapes land on either worker
    assert len(counts) == 1, counts  # every worker answers with the sum of all of them
    assert counts.pop() >= 30

    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    lines = json_lines(log.read_text())  # uvicorn's own lines included
    messages = [line["msg"] for line in lines]
    assert any(m.startswith("Uvicorn running on http://127.0.0.1:") for m in messages)
    assert sum(m.startswith("Finished server process") for m in messages) == 2
    assert any(m.startswith("Stopping parent process") for m in messages)
    ready = next(line for line in lines if line["msg"] == "metrics directory ready")
    assert ready["cleared_files"] == 1  # the stale counter, not lost+found
    started = next(line for line in lines if line["msg"] == "starting")
    assert started["workers"] == 2
