"""Schemathesis against the app's own OpenAPI schema, in-process, as a patient and a therapist.

Every generated request must get a non-5xx answer that conforms to the schema (status code,
content type, body, headers). The normal run is bounded; for a deep run:
    MESTRING_FUZZ_EXAMPLES=300 ./dev test tests/test_fuzz.py
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Actor, Api

# Requests that fit the schema may still break a rule (an unknown time zone, a stale cursor),
# and lax parsing accepts "1" for 1: those two checks judge the schema, not the server.
SEMANTIC_CHECKS: list[Any] = [positive_data_acceptance, negative_data_rejection]
EXAMPLES = int(os.environ.get("MESTRING_FUZZ_EXAMPLES", "8"))


# The schema does not depend on the database; the requests go to each test's own app.
schema = schemathesis.openapi.from_dict(create_app(make_settings("sqlite:///unused.db")).openapi())


class World:
    """A therapist with a linked patient; requests go out as one of them."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.therapist = api.therapist()
        self.patient = api.patient(self.therapist)
        self.calls = 0

    def send(self, case: Case[Any], actor: Actor) -> Any:
        if "patient_id" in (case.path_parameters or {}) and self.calls % 2 == 0:
            case.path_parameters["patient_id"] = str(self.patient.id)  # reach real data too
        self.calls += 1
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        headers: dict[str, Any] = {
            name: value.encode() if isinstance(value, str) and not value.isascii() else value
            for name, value in (kwargs.pop("headers", None) or {}).items()
        }
        if "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {actor.access_token}"
        kwargs.pop("follow_redirects", None)
        if not kwargs.get("cookies"):
            kwargs.pop("cookies", None)
        if isinstance(kwargs.get("data"), bytes | str):
            kwargs["content"] = kwargs.pop("data")
        response = self.api.client.request(headers=headers, **kwargs)
        case.validate_response(response, excluded_checks=SEMANTIC_CHECKS)
        return response


@pytest.fixture
def world(api: Api) -> World:
    return World(api)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_as_patient(case: Case[Any], world: World) -> None:
    world.send(case, world.patient)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_as_therapist(case: Case[Any], world: World) -> None:
    world.send(case, world.therapist)
