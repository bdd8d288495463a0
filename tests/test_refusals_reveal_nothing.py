"""Issue 11 item 13: a refusal names no state of a patient who is not the caller's. Access is
checked first (in the same locking read as the state), so a stranger gets exactly the 404 a
random id gets, whatever state the request or assignment is in."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import event

from tests.factories import Actor, Api


def _same_refusal(theirs: Any, random: Any) -> None:
    assert theirs.status_code == random.status_code == 404
    assert theirs.json() == random.json()


def test_an_illegal_booster_transition_on_someone_elses_patient_is_a_plain_404(api: Api) -> None:
    owner, stranger = api.therapist(), api.therapist()
    patient = api.patient(owner)
    made = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers).json()
    done = {"status": "declined", "response": "Not now"}
    assert api.client.patch(
        f"/v1/booster-requests/{made['id']}", json=done, headers=owner.headers
    ).is_success
    # declined -> completed is illegal: the owner hears so, the stranger hears nothing.
    illegal = {"status": "completed"}
    own = api.client.patch(
        f"/v1/booster-requests/{made['id']}", json=illegal, headers=owner.headers
    )
    assert (own.status_code, own.json()["code"]) == (409, "illegal_transition")
    theirs = api.client.patch(
        f"/v1/booster-requests/{made['id']}", json=illegal, headers=stranger.headers
    )
    random = api.client.patch(
        f"/v1/booster-requests/{uuid.uuid4()}", json=illegal, headers=stranger.headers
    )
    _same_refusal(theirs, random)


def _assign(api: Api, therapist: Actor, patient_id: uuid.UUID, **extra: Any) -> Any:
    body = {"exercise_kind": "attention_training", "times_per_day": 1}
    body |= {"starts_on": date.today().isoformat(), **extra}
    return api.client.post(
        f"/v1/patients/{patient_id}/assignments", json=body, headers=therapist.headers
    )


def test_an_overlapping_assignment_for_someone_elses_patient_is_a_plain_404(api: Api) -> None:
    owner, stranger = api.therapist(), api.therapist()
    patient = api.patient(owner)
    assert _assign(api, owner, patient.id).status_code == 201
    overlap = _assign(api, owner, patient.id)
    assert (overlap.status_code, overlap.json()["code"]) == (409, "assignment_overlaps")
    _same_refusal(_assign(api, stranger, patient.id), _assign(api, stranger, uuid.uuid4()))


def test_a_worry_time_on_someone_elses_assignment_is_a_plain_404(api: Api) -> None:
    owner, stranger = api.therapist(), api.therapist()
    patient = api.patient(owner)
    assignment = _assign(api, owner, patient.id).json()
    change = {"worry_time": "18:00"}
    own = api.client.patch(
        f"/v1/assignments/{assignment['id']}", json=change, headers=owner.headers
    )
    assert (own.status_code, own.json()["code"]) == (422, "worry_time_not_applicable")
    theirs = api.client.patch(
        f"/v1/assignments/{assignment['id']}", json=change, headers=stranger.headers
    )
    random = api.client.patch(
        f"/v1/assignments/{uuid.uuid4()}", json=change, headers=stranger.headers
    )
    _same_refusal(theirs, random)


def test_a_patient_moved_away_is_a_404_before_any_overlap(api: Api) -> None:
    """The link is checked again with the patient's row locked, before the overlap check."""
    owner, successor = api.therapist(), api.therapist()
    patient = api.patient(owner)
    assert _assign(api, owner, patient.id).status_code == 201
    api.link(patient, successor)  # the admin moves the patient on
    moved = _assign(api, owner, patient.id)
    _same_refusal(moved, _assign(api, owner, uuid.uuid4()))


def test_a_link_ended_just_before_the_locked_read_is_a_404_not_an_overlap(api: Api) -> None:
    """The race the review found: the link ends between the route's access check and the
    service's state check. Simulated by ending it, in the request's own transaction, right
    before the service reads the patient's row; the refusal must still be the plain 404."""
    owner = api.therapist()
    patient = api.patient(owner)
    assert _assign(api, owner, patient.id).status_code == 201
    engine = api.services.engine.sync_engine
    fired: list[bool] = []

    def end_link(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().startswith("SELECT users.timezone") and not fired:
            fired.append(True)
            stored = str(patient.id) if conn.dialect.name == "postgresql" else patient.id.hex
            conn.exec_driver_sql(
                f"UPDATE care_links SET ended_at = created_at WHERE patient_id = '{stored}'"
            )

    event.listen(engine, "before_cursor_execute", end_link)
    try:
        raced = _assign(api, owner, patient.id)
    finally:
        event.remove(engine, "before_cursor_execute", end_link)
    assert fired
    _same_refusal(raced, _assign(api, owner, uuid.uuid4()))
