"""Running the real `mestring` command in a child process, as a container would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import SECRET

MESTRING = str(Path(sys.executable).parent / "mestring")


def command_env(**values: str) -> dict[str, str]:
    """The parent's environment without any MESTRING_ or metrics setting, plus `values`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MESTRING_")
        and k not in ("PROMETHEUS_MULTIPROC_DIR", "WEB_CONCURRENCY")
    }
    env.update({"MESTRING_SECRET_KEY": SECRET, "MESTRING_ARGON2_MEMORY_KIB": "8192"})
    env.update(values)
    return env


def mestring(*args: str, env: dict[str, str], **popen: Any) -> subprocess.CompletedProcess[str]:
    """Run `mestring ARGS` to the end; stdout and stderr together."""
    return subprocess.run(  # noqa: S603 (our own command)
        [MESTRING, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        check=False,
        **popen,
    )


def json_lines(output: str) -> list[dict[str, Any]]:
    """Every line of `output` parsed as JSON (a line that is not JSON fails the test)."""
    lines = [line for line in output.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise AssertionError(f"not a JSON log line: {line!r}") from exc
    return parsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
