"""A client generated from openapi/openapi.json drives the demo flow, through generated code only.

openapi-python-client (pinned in tools/codegen.in, installed by ./dev into .venv/codegen, so no
network is needed here) generates a package from the committed contract, warning-free, into a
temporary directory; the test imports it and talks to the real app through it: the generated
functions build every request and parse every answer into their typed models. Its httpx client
reaches the app through a transport that hands each request to the test client.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.config import REPO_ROOT
from tests.factories import PASSWORD, Api

GENERATOR = REPO_ROOT / ".venv" / "codegen" / "bin" / "openapi-python-client"
PACKAGE = "mestring_client"
CONFIG = (
    f"project_name_override: mestring-client\npackage_name_override: {PACKAGE}\npost_hooks: []\n"
)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The generated package's parent directory, on sys.path while the tests run."""
    assert GENERATOR.exists(), "run ./dev test once: it installs the generator"
    root = tmp_path_factory.mktemp("client")
    (root / "config.yaml").write_text(CONFIG)
    done = subprocess.run(  # noqa: S603
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(REPO_ROOT / "openapi" / "openapi.json"),
            "--config",
            str(root / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(root / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(root))
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_generation_is_warning_free_and_short_named(generated: Path) -> None:
    modules = {path.stem for path in (generated / PACKAGE / "api").rglob("*.py")}
    assert "checkins_put_checkin" in modules
    assert not [name for name in modules if "_v1_" in name], "default-looking operation ids"
    models = {path.stem for path in (generated / PACKAGE / "models").glob("*.py")}
    assert {"band", "locale", "booster_status", "login_form"} <= models
    assert not [name for name in models if name.startswith("body_")]
    # Typed records, not per-property dicts such as export_document_checkins_item.
    assert not [name for name in models if name.endswith(("_item", "_type_0"))]
    # One enum class per value set (31 classes for 17 sets before issue 19).
    enum_files = {
        path.stem
        for path in (generated / PACKAGE / "models").glob("*.py")
        if "(StrEnum):" in path.read_text()
    }
    document = json.loads((REPO_ROOT / "openapi" / "openapi.json").read_text())
    enum_sets = [s for s in document["components"]["schemas"].values() if "enum" in s]
    assert len(enum_files) == len(enum_sets), sorted(enum_files)


def _bridge(api: Api) -> httpx.MockTransport:
    """An httpx transport that hands each request to the test client (the app's own loop)."""
    skip = {"host", "content-length", "connection", "accept-encoding"}

    def handle(request: httpx.Request) -> httpx.Response:
        answer = api.client.request(
            request.method,
            str(request.url),
            headers=[(k, v) for k, v in request.headers.multi_items() if k.lower() not in skip],
            content=request.content,
        )
        headers = [
            (k, v)
            for k, v in answer.headers.multi_items()
            if k.lower() not in {"content-length", "content-encoding"}
        ]
        return httpx.Response(answer.status_code, headers=headers, content=answer.content)

    return httpx.MockTransport(handle)


class Generated:
    """The generated package, reached by module name."""

    def __init__(self, api: Api) -> None:
        self.transport = _bridge(api)
        self.root = importlib.import_module(PACKAGE)
        self.api_dir = Path(self.root.__file__ or "").parent / "api"

    def op(self, name: str) -> Any:
        """The module of one operation, e.g. op("checkins_put_checkin")."""
        (path,) = self.api_dir.rglob(f"{name}.py")
        return importlib.import_module(f"{PACKAGE}.api.{path.parent.name}.{name}")

    def model(self, name: str) -> Any:
        module, _, cls = name.partition(":")
        return getattr(importlib.import_module(f"{PACKAGE}.models.{module}"), cls)

    def anonymous(self) -> Any:
        client = importlib.import_module(f"{PACKAGE}.client")
        return client.Client(base_url="http://testserver", httpx_args={"transport": self.transport})

    def sign_in(self, email: str) -> Any:
        login = self.model("login_form:LoginForm")(username=email, password=PASSWORD)
        pair = self.op("auth_token").sync(client=self.anonymous(), body=login)
        assert type(pair).__name__ == "TokenPair", pair
        client = importlib.import_module(f"{PACKAGE}.client")
        return client.AuthenticatedClient(
            base_url="http://testserver",
            token=pair.access_token,
            httpx_args={"transport": self.transport},
        )


def test_the_demo_flow_through_the_generated_client(generated: Path, api: Api) -> None:
    gen = Generated(api)
    therapist_actor = api.therapist()
    patient_actor = api.patient(therapist_actor)

    patient = gen.sign_in(patient_actor.email)
    today = gen.op("dashboard_my_today").sync(client=patient)
    assert type(today).__name__ == "TodayPublic", today
    questionnaire = gen.op("checkins_read_questionnaire").sync(client=patient)
    assert type(questionnaire).__name__ == "QuestionnairePublic"
    assert questionnaire.items

    answers = gen.model("checkin_write_answers:CheckinWriteAnswers").from_dict(
        {item.id: 4 for item in questionnaire.items}
    )
    write = gen.model("checkin_write:CheckinWrite")(answers=answers, mood=6)
    saved = gen.op("checkins_put_checkin").sync(today.local_date, client=patient, body=write)
    assert type(saved).__name__ == "CheckinSaved", saved
    assert saved.created is True
    assert saved.band.value in {"low", "moderate", "high"}  # the shared Band enum

    log = gen.model("worry_postponement_log:WorryPostponementLog")(
        id=uuid.uuid4(),
        exercise_kind="worry_postponement",
        started_at=datetime.now(UTC).replace(microsecond=0),
        duration_seconds=600,
        worries_noticed=3,
        worries_postponed=2,
        worry_time_used=True,
        worry_time_minutes=12,
        uncontrollability_before=70,
        uncontrollability_after=50,
    )
    create_log = gen.op("exercises_create_exercise_log")
    first = create_log.sync_detailed(client=patient, body=log, idempotency_key="demo-log-1")
    assert first.status_code == 201, first.content
    assert type(first.parsed).__name__ == "ExerciseLogPublic"
    again = create_log.sync_detailed(client=patient, body=log, idempotency_key="demo-log-1")
    assert again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.parsed.id == first.parsed.id == log.id

    summary = gen.op("work_my_work_summary").sync(client=patient)
    assert type(summary).__name__ == "WorkSummary", summary

    therapist = gen.sign_in(therapist_actor.email)
    worklist = gen.op("dashboard_worklist").sync(client=therapist)
    assert type(worklist).__name__ == "ListResponsePatientSummary", worklist
    assert [row.patient_id for row in worklist.data] == [patient_actor.id]
    adherence = gen.op("exercises_patient_adherence").sync(patient_actor.id, client=therapist)
    assert type(adherence).__name__ == "AdherencePublic", adherence

    missing = gen.op("dashboard_read_patient").sync(uuid.uuid4(), client=therapist)
    assert type(missing).__name__ == "ErrorBody"
    assert missing.code == "patient_not_found"
    bad = gen.model("checkin_write:CheckinWrite")(
        answers=gen.model("checkin_write_answers:CheckinWriteAnswers").from_dict({"x": 99})
    )
    refused = gen.op("checkins_put_checkin").sync(today.local_date, client=patient, body=bad)
    assert type(refused).__name__ == "InvalidBody", refused
