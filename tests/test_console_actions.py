"""The console's state-changing forms (issue 18): booster requests, homework, invitations; each
needs its CSRF token, goes through the API's service and shows a refusal as a page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from app.core.time import utcnow
from tests.console_helpers import csrf_of, post_form, signed_in
from tests.factories import Actor, Api
from tests.test_console_pages import open_booster, patient_with_data, skeleton_ok


def _booster(api: Api, therapist: Actor, request_id: str) -> dict[str, Any]:
    listed = api.client.get("/v1/booster-requests", headers=therapist.headers).json()["data"]
    found: dict[str, Any] = next(item for item in listed if item["id"] == request_id)
    return found


def _assignments(api: Api, therapist: Actor, patient: Actor) -> list[dict[str, Any]]:
    answer = api.client.get(
        f"/v1/patients/{patient.id}/assignments", headers=therapist.headers
    ).json()
    items: list[dict[str, Any]] = answer["data"]
    return items


def test_schedule_then_complete_a_booster_request(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    request = open_booster(api, patient)
    client = signed_in(api, therapist)
    page_url = f"/console/patients/{patient.id}"
    action = f"/console/booster-requests/{request['id']}"
    when = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%d") + "T09:30"
    moved = post_form(client, page_url, action, {"action": "schedule", "scheduled_for": when})
    assert moved.status_code == 303
    assert moved.headers["location"].startswith(page_url)
    stored = _booster(api, therapist, request["id"])
    assert stored["status"] == "scheduled"
    # 09:30 in the therapist's zone (Europe/Oslo, UTC+1 in winter) is 08:30 UTC.
    assert stored["scheduled_for"].endswith("08:30:00Z")
    page = client.get(page_url).text
    assert f'data-request-id="{request["id"]}" data-status="scheduled"' in page
    assert 'value="complete"' in page
    done = post_form(client, page_url, action, {"action": "complete"})
    assert done.status_code == 303
    assert _booster(api, therapist, request["id"])["status"] == "completed"


def test_an_illegal_move_is_an_error_page_not_a_crash(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    request = open_booster(api, patient)
    client = signed_in(api, therapist)
    page_url = f"/console/patients/{patient.id}"
    action = f"/console/booster-requests/{request['id']}"
    refused = post_form(client, page_url, action, {"action": "complete"})
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    skeleton_ok(refused.text)
    assert _booster(api, therapist, request["id"])["status"] == "open"
    no_time = post_form(client, page_url, action, {"action": "schedule", "scheduled_for": ""})
    assert no_time.status_code == 422
    # A time the API refuses (outside 2000-2099) is said to be about the time, not the answer.
    too_late = {"action": "schedule", "scheduled_for": "2100-01-01T09:00"}
    out_of_range = post_form(client, page_url, action, too_late)
    assert out_of_range.status_code == 422
    # (the demo therapist reads Norwegian: "Give the date and time of the session.")
    assert "Oppgi dato og klokkeslett for timen." in out_of_range.text
    assert "Skriv et svar til pasienten" not in out_of_range.text
    no_answer = post_form(client, page_url, action, {"action": "decline", "response": " "})
    assert no_answer.status_code == 422
    assert _booster(api, therapist, request["id"])["status"] == "open"
    declined = post_form(
        client, page_url, action, {"action": "decline", "response": "Let us talk on Monday."}
    )
    assert declined.status_code == 303
    assert _booster(api, therapist, request["id"])["status"] == "declined"


def test_another_therapists_request_is_not_found(api: Api) -> None:
    therapist = api.therapist()
    mine = patient_with_data(api, therapist)
    other = api.therapist()
    theirs = api.patient(other)
    request = open_booster(api, theirs)
    client = signed_in(api, therapist)
    answer = post_form(
        client,
        f"/console/patients/{mine.id}",
        f"/console/booster-requests/{request['id']}",
        {"action": "decline", "response": "No."},
    )
    assert answer.status_code == 404
    assert _booster(api, other, request["id"])["status"] == "open"


def test_state_changes_need_the_csrf_token(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    request = open_booster(api, patient)
    client = signed_in(api, therapist)
    before = len(_assignments(api, therapist, patient))
    posts = [
        (f"/console/booster-requests/{request['id']}", {"action": "decline", "response": "x"}),
        (
            f"/console/patients/{patient.id}/assignments",
            {
                "exercise_kind": "detached_mindfulness",
                "times_per_day": "1",
                "starts_on": "2026-12-01",
            },
        ),
        ("/console/invitations", {}),
    ]
    other = api.therapist()
    foreign = csrf_of(signed_in(api, other).get("/console/worklist").text)
    client = signed_in(api, therapist)
    for action, data in posts:
        for token in (None, "", foreign):
            body = dict(data) if token is None else {**data, "csrf_token": token}
            answer = client.post(action, data=body, follow_redirects=False)
            assert answer.status_code == 403, action
            assert 'role="alert"' in answer.text
    assert _booster(api, therapist, request["id"])["status"] == "open"
    assert len(_assignments(api, therapist, patient)) == before
    invitations = api.client.get("/v1/invitations", headers=therapist.headers).json()
    assert invitations["data"] == []


def test_assign_homework(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    client = signed_in(api, therapist)
    form_url = f"/console/patients/{patient.id}/assignments/new"
    form = client.get(form_url)
    assert form.status_code == 200
    skeleton_ok(form.text)
    action = f"/console/patients/{patient.id}/assignments"
    assert f'<form id="assignment-form" method="post" action="{action}">' in form.text
    for field in (
        '<select id="exercise_kind" name="exercise_kind"',
        'name="times_per_day" type="number"',
        'name="times_per_week" type="number"',
        'name="starts_on" type="date"',
        'name="ends_on" type="date"',
        'name="worry_time" type="time"',
        '<textarea id="instructions" name="instructions"',
    ):
        assert field in form.text
    assert len(re.findall(r"<option value=", form.text)) == 5
    today = utcnow().date().isoformat()
    made = post_form(
        client,
        form_url,
        f"/console/patients/{patient.id}/assignments",
        {
            "exercise_kind": "worry_postponement",
            "times_per_day": "1",
            "starts_on": today,
            "worry_time": "18:30",
            "instructions": "Park worries until 18:30.",
        },
    )
    assert made.status_code == 303
    assert made.headers["location"].startswith(f"/console/patients/{patient.id}")
    kinds = [a["exercise_kind"] for a in _assignments(api, therapist, patient)]
    assert "worry_postponement" in kinds


def test_invalid_homework_re_renders_the_form_and_writes_nothing(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    client = signed_in(api, therapist)
    before = _assignments(api, therapist, patient)
    form_url = f"/console/patients/{patient.id}/assignments/new"
    action = f"/console/patients/{patient.id}/assignments"
    for data in (
        {
            "exercise_kind": "attention_training",
            "times_per_day": "1",
            "times_per_week": "3",
            "starts_on": "2026-12-01",
        },
        {"exercise_kind": "attention_training", "times_per_day": "many", "starts_on": "2026-12-01"},
        {"exercise_kind": "yoga", "times_per_day": "1", "starts_on": "2026-12-01"},
        {"exercise_kind": "attention_training", "times_per_day": "1", "starts_on": "1. desember"},
    ):
        answer = post_form(client, form_url, action, data)
        assert answer.status_code == 422, data
        assert 'role="alert"' in answer.text
        assert 'id="assignment-form"' in answer.text
        skeleton_ok(answer.text)
    assert _assignments(api, therapist, patient) == before


def test_pause_resume_dose_and_end_homework(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    client = signed_in(api, therapist)
    (assignment,) = _assignments(api, therapist, patient)
    page_url = f"/console/patients/{patient.id}"
    action = f"/console/assignments/{assignment['id']}"
    assert post_form(client, page_url, action, {"action": "pause"}).status_code == 303
    assert _assignments(api, therapist, patient)[0]["status"] == "paused"
    assert post_form(client, page_url, action, {"action": "resume"}).status_code == 303
    assert _assignments(api, therapist, patient)[0]["status"] == "active"
    changed = post_form(client, page_url, action, {"action": "dose", "times_per_day": "2"})
    assert changed.status_code == 303
    assert _assignments(api, therapist, patient)[0]["times_per_day"] == 2
    bad = post_form(client, page_url, action, {"action": "dose", "times_per_day": "lots"})
    assert bad.status_code == 422
    assert post_form(client, page_url, action, {"action": "end"}).status_code == 303
    assert _assignments(api, therapist, patient)[0]["ends_on"] is not None


def test_create_an_invitation_shows_its_code(api: Api) -> None:
    therapist = api.therapist()
    client = signed_in(api, therapist)
    page = client.get("/console/invitations")
    assert page.status_code == 200
    skeleton_ok(page.text)
    assert '<form id="invitation-form" method="post" action="/console/invitations">' in page.text
    made = client.post(
        "/console/invitations",
        data={"csrf_token": csrf_of(page.text), "email": ""},
        follow_redirects=False,
    )
    assert made.status_code == 200
    code = re.search(r'<output id="invitation-code">([^<]+)</output>', made.text)
    assert code is not None
    # The code works: a patient registers with it.
    registered = api.client.post(
        "/v1/auth/register",
        json={
            "invitation_code": code.group(1),
            "email": "new.patient@clinic.example.com",
            "password": "a long patient password 7",
            "display_name": "Ny Pasient",
            "timezone": "Europe/Oslo",
        },
    )
    assert registered.status_code in {200, 201, 202}, registered.text
    listed = api.client.get("/v1/invitations", headers=therapist.headers).json()["data"]
    assert [item["status"] for item in listed] == ["used"]
    bad = client.post(
        "/console/invitations",
        data={"csrf_token": csrf_of(page.text), "email": "not an email"},
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert 'role="alert"' in bad.text


def test_record_a_follow_up_answered_by_phone(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    returned = (utcnow() - timedelta(days=200)).date().isoformat()
    put = api.client.put(
        f"/v1/patients/{patient.id}/rtw-completion",
        json={"rtw_completed_on": returned},
        headers=therapist.headers,
    )
    assert put.status_code == 200, put.text
    client = signed_in(api, therapist)
    page_url = f"/console/patients/{patient.id}"
    page = client.get(page_url).text
    forms = re.findall(r'action="(/console/patients/[^"]+/follow-ups/[^"]+/answer)"', page)
    assert len(forms) == 2  # the 3- and the 6-month follow-up are both due
    refused = post_form(client, page_url, forms[0], {"still_working": "yes"})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    done = post_form(
        client,
        page_url,
        forms[0],
        {
            "still_working": "yes",
            "needs_booster": "yes",
            "contacted_by": "phone",
            "note": "Doing well",
        },
    )
    assert done.status_code == 303
    state = api.client.get(
        f"/v1/patients/{patient.id}/rtw-completion", headers=therapist.headers
    ).json()
    answered = [f for f in state["follow_ups"] if f["status"] == "answered"]
    assert len(answered) == 1
    assert answered[0]["contacted_by"] == "phone"
    assert answered[0]["answered_by_role"] == "therapist"
    page = client.get(page_url).text
    assert "per telefon" in page  # how it was answered, in the therapist's language
    assert 'data-status="open"' in page  # needs_booster opened a request
    stranger = signed_in(api, api.therapist())
    hidden = post_form(
        stranger,
        "/console/worklist",
        forms[1],
        {"still_working": "no", "needs_booster": "no", "contacted_by": "phone"},
    )
    assert hidden.status_code == 404
