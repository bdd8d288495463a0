"""What the image promises, checked in its recipe: a pinned base, hash-locked wheels that match
the versions the tests run on, a numeric user, serving without migrating, a lean build context.
(The image itself is built and run as README, "Running in production", describes.)"""

from __future__ import annotations

import re

from app.core.config import REPO_ROOT

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text()
REQUIREMENT = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    text = (REPO_ROOT / lock).read_text()
    return {name.lower().replace("_", "-"): version for name, version in REQUIREMENT.findall(text)}


def instructions(name: str) -> list[str]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [line.strip() for line in joined.splitlines() if line.strip().startswith(name + " ")]


def test_every_runtime_requirement_is_pinned_with_hashes() -> None:
    text = (REPO_ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(entries) == len(pins("requirements.lock")) > 20
    for entry in entries:
        assert REQUIREMENT.match(entry), entry
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), f"no hash: {entry.splitlines()[0]}"


def test_the_tests_run_on_the_versions_the_image_installs() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_base_is_pinned_by_version_and_digest() -> None:
    [default] = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", default)
    assert instructions("FROM") == ["FROM ${PYTHON_IMAGE} AS build", "FROM ${PYTHON_IMAGE}"]


def test_dependencies_come_only_from_the_hashed_lock_as_wheels() -> None:
    [install] = [run for run in instructions("RUN") if "pip install" in run]
    for flag in ("--require-hashes", "--no-deps", "--only-binary=:all:", "-r /tmp/requirements"):
        assert flag in install


def test_it_runs_as_a_numeric_user_and_serves_without_migrating() -> None:
    assert instructions("USER") == ["USER 10001:10001"]
    [command] = instructions("CMD")
    assert command.startswith('CMD ["mestring", "serve"')
    assert "migrate" not in command
    assert "ENTRYPOINT" not in DOCKERFILE


def test_the_build_context_leaves_out_local_state_and_secrets() -> None:
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    for pattern in ("**/__pycache__", "*.egg-info", ".env*", "var/", ".venv", ".git", "tests"):
        assert pattern in ignored, pattern
