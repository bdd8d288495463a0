"""Who may call what: one row per route. A route without a row fails `test_every_route_has_a_row`.

Add a row for every new route. `roles` lists who may call it (PUBLIC: no token needed).
For every non-public route the matrix checks: no token → 401 with WWW-Authenticate: Bearer;
every other role → 403; and for routes under /v1/patients/{patient_id}, a therapist asking for
a patient not linked to them gets exactly the 404 that a random id gets. The job counsellor's
column: on routes open to them, their own (accepted) patient is served, another counsellor's
patient and an unlinked one are the random id's 404; every other patient route answers them
403 even for their own patient.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.accounts.models import Role
from app.core.config import Settings
from app.main import create_app
from tests.factories import Actor, Api

PUBLIC: frozenset[Role] = frozenset()
P, T, C, A = Role.patient, Role.therapist, Role.job_counsellor, Role.admin
ANY = frozenset({P, T, C, A})
STAFF = frozenset({T, C, A})
WORK_SIDE = frozenset({T, C})


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    roles: frozenset[Role]
    body: dict[str, Any] | None = field(default=None)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


ROUTES: list[Row] = [
    Row("GET", "/healthz", PUBLIC),
    Row("GET", "/readyz", PUBLIC),
    Row("POST", "/v1/auth/token", PUBLIC),
    Row("POST", "/v1/auth/refresh", PUBLIC),
    Row("POST", "/v1/auth/register", PUBLIC),
    Row("POST", "/v1/auth/logout", ANY, {}),
    Row("GET", "/v1/me", ANY),
    Row("PATCH", "/v1/me", ANY, {}),
    Row("POST", "/v1/me/password", ANY, {}),
    Row("GET", "/v1/me/mfa", STAFF),
    Row("POST", "/v1/me/mfa/totp", STAFF),
    Row("POST", "/v1/me/mfa/totp/confirm", STAFF, {}),
    Row("DELETE", "/v1/me/mfa/totp", STAFF, {}),
    Row("POST", "/v1/admin/therapists", frozenset({A}), {}),
    Row("POST", "/v1/admin/job-counsellors", frozenset({A}), {}),
    Row("GET", "/v1/admin/users", frozenset({A})),
    Row("PATCH", "/v1/admin/users/{user_id}", frozenset({A}), {}),
    Row("POST", "/v1/admin/care-links", frozenset({A}), {}),
    Row("DELETE", "/v1/admin/care-links/{link_id}", frozenset({A})),
    Row("POST", "/v1/invitations", frozenset({T}), {}),
    Row("GET", "/v1/invitations", frozenset({T})),
    Row("DELETE", "/v1/invitations/{invitation_id}", frozenset({T})),
    Row("GET", "/v1/patients/{patient_id}", frozenset({T})),
    Row("GET", "/v1/patients", frozenset({T})),
    Row("GET", "/v1/me/today", frozenset({P})),
    Row("GET", "/v1/me/consents", frozenset({P})),
    Row("PUT", "/v1/me/consents", frozenset({P}), {}),
    Row("GET", "/v1/me/access-log", frozenset({P})),
    Row("GET", "/v1/me/export", frozenset({P})),
    Row("DELETE", "/v1/me", frozenset({P}), {}),
    Row("GET", "/v1/me/rtw-plan", frozenset({P})),
    Row("PUT", "/v1/me/rtw-plan", frozenset({P}), {}),
    Row("GET", "/v1/patients/{patient_id}/rtw-plan", WORK_SIDE),
    Row("PUT", "/v1/patients/{patient_id}/rtw-plan", frozenset({T}), {}),
    Row("PUT", "/v1/me/work-diary/{local_date}", frozenset({P}), {}),
    Row("GET", "/v1/me/work-diary", frozenset({P})),
    Row("GET", "/v1/patients/{patient_id}/work-diary", WORK_SIDE),
    Row("GET", "/v1/me/work-summary", frozenset({P})),
    Row("GET", "/v1/patients/{patient_id}/work-summary", WORK_SIDE),
    Row("GET", "/v1/exercises", ANY),
    Row("POST", "/v1/patients/{patient_id}/assignments", frozenset({T}), {}),
    Row("GET", "/v1/patients/{patient_id}/assignments", frozenset({T})),
    Row("PATCH", "/v1/assignments/{assignment_id}", frozenset({T}), {}),
    Row("GET", "/v1/me/assignments", frozenset({P})),
    Row("POST", "/v1/me/exercise-logs", frozenset({P}), {}),
    Row("GET", "/v1/me/exercise-logs", frozenset({P})),
    Row("GET", "/v1/patients/{patient_id}/exercise-logs", frozenset({T})),
    Row("GET", "/v1/patients/{patient_id}/adherence", frozenset({T})),
    Row("GET", "/v1/questionnaires/rtw-se", ANY),
    Row("PUT", "/v1/me/checkins/{local_date}", frozenset({P}), {}),
    Row("GET", "/v1/me/checkins", frozenset({P})),
    Row("GET", "/v1/me/checkins/summary", frozenset({P})),
    Row("GET", "/v1/patients/{patient_id}/checkins", frozenset({T})),
    Row("GET", "/v1/patients/{patient_id}/checkins/summary", frozenset({T})),
    Row("GET", "/v1/patients/{patient_id}/booster-rule", frozenset({T})),
    Row("PUT", "/v1/patients/{patient_id}/booster-rule", frozenset({T}), {}),
    Row("GET", "/v1/patients/{patient_id}/rtw-completion", frozenset({T})),
    Row("PUT", "/v1/patients/{patient_id}/rtw-completion", frozenset({T}), {}),
    Row("POST", "/v1/me/booster-requests", frozenset({P}), {}),
    Row("GET", "/v1/me/booster-requests", frozenset({P})),
    Row("POST", "/v1/me/booster-requests/{request_id}/cancel", frozenset({P})),
    Row("GET", "/v1/booster-requests", frozenset({T})),
    Row("PATCH", "/v1/booster-requests/{request_id}", frozenset({T}), {}),
    Row("GET", "/v1/me/follow-ups", frozenset({P})),
    Row("POST", "/v1/me/follow-ups/{follow_up_id}/answer", frozenset({P}), {}),
    Row("POST", "/v1/patients/{patient_id}/follow-ups/{follow_up_id}/answer", frozenset({T}), {}),
    Row("PUT", "/v1/admin/users/{user_id}/on-call", frozenset({A}), {}),
    Row("GET", "/v1/questionnaires/{measure}", ANY),
    Row("GET", "/v1/patients/{patient_id}/measure-schedule", frozenset({T})),
    Row("PUT", "/v1/patients/{patient_id}/measure-schedule", frozenset({T}), {}),
    Row("GET", "/v1/me/measures/due", frozenset({P})),
    Row("POST", "/v1/me/measures/{measure}/responses", frozenset({P}), {}),
    Row("GET", "/v1/me/measures/{measure}/responses", frozenset({P})),
    Row("GET", "/v1/patients/{patient_id}/measures/{measure}/responses", frozenset({T})),
    Row("GET", "/v1/patients/{patient_id}/risk-alerts", frozenset({T})),
    Row("GET", "/v1/risk-alerts", frozenset({T})),
    Row("GET", "/v1/risk-alerts/on-call", frozenset({T})),
    Row("POST", "/v1/risk-alerts/{alert_id}/acknowledge", frozenset({T}), {}),
    Row("GET", "/v1/job-counsellors", frozenset({T})),
    Row("POST", "/v1/patients/{patient_id}/job-support", frozenset({T}), {}),
    Row("GET", "/v1/patients/{patient_id}/job-support", frozenset({T})),
    Row("GET", "/v1/me/job-support", frozenset({P})),
    Row("POST", "/v1/me/job-support/{link_id}/accept", frozenset({P})),
    Row("POST", "/v1/me/job-support/{link_id}/decline", frozenset({P})),
    Row("DELETE", "/v1/me/job-support/{link_id}", frozenset({P})),
    Row("GET", "/v1/job-support/patients", frozenset({C})),
    Row("GET", "/v1/patients/{patient_id}/employment", WORK_SIDE),
    Row("POST", "/v1/patients/{patient_id}/employment", WORK_SIDE, {}),
    # An invalid body: the own patient is then a 422, not the record 404 of a random id.
    Row("PATCH", "/v1/patients/{patient_id}/employment/{employment_id}", WORK_SIDE, {"kind": "?"}),
    Row("PATCH", "/v1/me/employment/{employment_id}", frozenset({P}), {}),
    Row("GET", "/v1/patients/{patient_id}/employer-consent", WORK_SIDE),
    Row("GET", "/v1/me/employment", frozenset({P})),
    Row("POST", "/v1/me/employment", frozenset({P}), {}),
    Row("POST", "/v1/patients/{patient_id}/joint-meetings", WORK_SIDE, {}),
    Row("GET", "/v1/patients/{patient_id}/joint-meetings", WORK_SIDE),
    Row("GET", "/v1/me/joint-meetings", frozenset({P})),
    Row("POST", "/v1/patients/{patient_id}/employer-contacts", WORK_SIDE, {}),
    Row("GET", "/v1/patients/{patient_id}/employer-contacts", WORK_SIDE),
    Row("GET", "/v1/me/employer-contacts", frozenset({P})),
]

# Values for path parameters other than {patient_id} (which the tests choose themselves).
PATH_VALUES = {"local_date": date.today().isoformat(), "measure": "phq9"}


def _url(row: Row, patient_id: uuid.UUID | None = None) -> str:
    values = {"patient_id": str(patient_id or uuid.uuid4())}
    url = row.path
    for name in [part[1:-1] for part in row.path.split("/") if part.startswith("{")]:
        url = url.replace(
            "{" + name + "}", values.get(name) or PATH_VALUES.get(name) or str(uuid.uuid4())
        )
    return url


def _call(client: TestClient, row: Row, url: str, actor: Actor | None) -> Any:
    headers = actor.headers if actor else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if row.body is not None:
        kwargs["json"] = row.body
    return client.request(row.method, url, **kwargs)


def test_every_route_has_a_row(settings: Settings) -> None:
    schema = create_app(settings).openapi()
    served = {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }
    listed = {row.id for row in ROUTES}
    assert served - listed == set(), "routes without a role-matrix row"
    assert listed - served == set(), "role-matrix rows for routes that do not exist"


PROTECTED = [row for row in ROUTES if row.roles]


@pytest.mark.parametrize("row", PROTECTED, ids=lambda row: row.id)
def test_anonymous_gets_401(client: TestClient, row: Row) -> None:
    response = _call(client, row, _url(row), None)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("row", PROTECTED, ids=lambda row: row.id)
def test_wrong_roles_get_403(api: Api, row: Row) -> None:
    for role in set(Role) - row.roles:
        actor = api.user(role)
        response = _call(api.client, row, _url(row), actor)
        assert response.status_code == 403, (role, response.text)
        assert response.json() == {"detail": "Your role does not allow this.", "code": "forbidden"}


PATIENT_SCOPED = [row for row in ROUTES if "{patient_id}" in row.path]


@pytest.mark.parametrize("row", PATIENT_SCOPED, ids=lambda row: row.id)
def test_unlinked_patient_is_a_404_like_a_random_id(api: Api, row: Row) -> None:
    therapist, colleague = api.therapist(), api.therapist()
    patient = api.patient(colleague)
    hidden = _call(api.client, row, _url(row, patient.id), therapist)
    random = _call(api.client, row, _url(row), therapist)
    assert hidden.status_code == random.status_code == 404
    assert hidden.json() == random.json()
    assert hidden.json()["code"] == "patient_not_found"
    own = _call(api.client, row, _url(row, patient.id), colleague)
    assert own.status_code != 404


COUNSELLOR_SCOPED = [row for row in PATIENT_SCOPED if C in row.roles]
NOT_FOR_COUNSELLORS = [row for row in PATIENT_SCOPED if C not in row.roles]


@pytest.mark.parametrize("row", COUNSELLOR_SCOPED, ids=lambda row: row.id)
def test_counsellor_sees_only_the_patients_who_accepted_them(api: Api, row: Row) -> None:
    therapist = api.therapist()
    counsellor, colleague = api.counsellor(), api.counsellor()
    own, others, unlinked = (api.patient(therapist) for _ in range(3))
    api.job_support(own, counsellor)
    api.job_support(others, colleague)
    served = _call(api.client, row, _url(row, own.id), counsellor)
    assert served.status_code not in (401, 403, 404), served.text
    random = _call(api.client, row, _url(row), counsellor)
    assert random.status_code == 404
    for hidden in (others, unlinked):
        response = _call(api.client, row, _url(row, hidden.id), counsellor)
        assert response.status_code == 404, (hidden, response.text)
        assert response.json() == random.json()


@pytest.mark.parametrize("row", COUNSELLOR_SCOPED, ids=lambda row: row.id)
def test_a_proposed_declined_or_ended_link_shows_the_counsellor_nothing(api: Api, row: Row) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    for status in ("proposed", "declined", "ended"):
        patient = api.patient(therapist)
        api.job_support(patient, counsellor, status=status)
        response = _call(api.client, row, _url(row, patient.id), counsellor)
        assert response.status_code == 404, (status, response.text)


@pytest.mark.parametrize("row", NOT_FOR_COUNSELLORS, ids=lambda row: row.id)
def test_the_rest_of_their_own_patient_is_403_for_a_counsellor(api: Api, row: Row) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    patient = api.patient(therapist)
    api.job_support(patient, counsellor)
    response = _call(api.client, row, _url(row, patient.id), counsellor)
    assert response.status_code == 403, response.text
