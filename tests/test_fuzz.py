"""Schemathesis against the app's own OpenAPI schema, in-process, as patient, therapist and admin.

Every check schemathesis has runs (`--checks all`), except those listed in EXCLUDED with the
reason (the README repeats them): every answer is non-5xx and conforms to the schema (status,
content type, body, headers), data outside the schema is refused and data inside it accepted
unless a rule the schema cannot state refuses it. The normal run is bounded; a deep run:
    MESTRING_FUZZ_EXAMPLES=300 ./dev test tests/test_fuzz.py
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    positive_data_acceptance,
)

from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Actor, Api

load_all_checks()
EXCLUDED: dict[Any, str] = {
    # A request that fits the schema may still break a rule no schema can state: the item ids
    # of the current questionnaire, an IANA time zone, a cursor this server issued, a date range
    # that ends before it starts, the dose that fits the exercise.
    positive_data_acceptance: "rules beyond the schema refuse some schema-valid requests",
    # It re-sends the request without credentials through schemathesis' own transport, which
    # cannot reach this in-process app; tests/test_role_matrix.py asks every route anonymously.
    ignored_auth: "re-sends outside the test's client; the role matrix covers anonymous calls",
}
CHECKS_RUN: list[Any] = [check for check in CHECKS.get_all() if check not in EXCLUDED]
EXAMPLES = int(os.environ.get("MESTRING_FUZZ_EXAMPLES", "8"))


# The schema does not depend on the database; the requests go to each test's own app.
schema = schemathesis.openapi.from_dict(create_app(make_settings("sqlite:///unused.db")).openapi())


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


class World:
    """A therapist with a linked patient, and an admin; requests go out as one of them."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.therapist = api.therapist()
        self.patient = api.patient(self.therapist)
        self.admin = api.admin()
        self.calls = 0

    def send(self, case: Case[Any], actor: Actor) -> Any:
        drawn = (case.path_parameters or {}).get("patient_id")
        if _is_uuid(drawn) and self.calls % 2 == 0:  # reach real data too (never a wrong id)
            case.path_parameters["patient_id"] = str(self.patient.id)
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
        case.validate_response(response, checks=CHECKS_RUN)
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


# An admin reaches no patient's data: their run covers what they can do (the admin routes,
# the de-identified reports, their own account, signing in); elsewhere they get the 403 the
# role matrix already proves.
ADMIN_PATHS = r"^/v1/(admin/|reports/|auth/|me$|me/mfa|me/password)"


@schema.include(path_regex=ADMIN_PATHS).parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_as_admin(case: Case[Any], world: World) -> None:
    world.send(case, world.admin)
