"""Setting up job support through the HTTP API: a counsellor proposed and accepted."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import Actor, Api


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def propose(api: Api, therapist: Actor, patient: Actor, counsellor: Actor) -> Any:
    return api.client.post(
        f"/v1/patients/{patient.id}/job-support",
        json={"counsellor_id": str(counsellor.id)},
        headers=therapist.headers | key(),
    )


def accepted(api: Api, therapist: Actor, patient: Actor, counsellor: Actor) -> str:
    """Propose and accept over HTTP; the link's id."""
    proposal = propose(api, therapist, patient, counsellor)
    assert proposal.status_code == 201, proposal.text
    link_id: str = proposal.json()["id"]
    answer = api.client.post(f"/v1/me/job-support/{link_id}/accept", headers=patient.headers)
    assert answer.status_code == 200, answer.text
    return link_id


def access_log(api: Api, patient: Actor) -> list[dict[str, Any]]:
    response = api.client.get("/v1/me/access-log", headers=patient.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data
