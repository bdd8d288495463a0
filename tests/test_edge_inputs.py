"""Inputs at the edges of the calendar and forged cursors answer 4xx, never 500; a stored
idempotent answer is only replayed to a caller who may still see it."""

from __future__ import annotations

from datetime import date

from app.core.pagination import encode_cursor
from tests.factories import Api

ID = "6f0d3c56-5b1c-4c4e-9a55-8f4a1f1f0c11"


def test_list_windows_near_the_first_date_do_not_overflow(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    for actor, url in (
        (patient, "/v1/me/checkins"),
        (therapist, f"/v1/patients/{patient.id}/checkins"),
    ):
        response = api.client.get(url, params={"to": "0001-01-05"}, headers=actor.headers)
        assert response.status_code == 200, (url, response.text)
        assert response.json() == {"data": [], "count": 0, "next_cursor": None}
    # The default 28-day window stops at the first date there is instead of overflowing.
    response = api.client.get(
        f"/v1/patients/{patient.id}/adherence",
        params={"to": "0001-01-05"},
        headers=therapist.headers,
    )
    assert response.status_code == 200, response.text
    window = response.json()
    assert (window["window_start"], window["window_end"]) == ("0001-01-01", "0001-01-05")
    assert (window["prescribed"], window["rate"], window["assignments"]) == (0, None, [])


def test_cursors_out_of_range_or_with_nul_are_422(api: Api) -> None:
    admin, therapist = api.admin(), api.therapist()
    for forged in (
        encode_cursor("0001-01-01T00:00:00+05:00", ID),
        encode_cursor("9999-12-31T23:00:00-05:00", ID),
    ):
        response = api.client.get(
            "/v1/invitations", params={"cursor": forged}, headers=therapist.headers
        )
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_cursor"
    nul = api.client.get(
        "/v1/admin/users", params={"cursor": encode_cursor("a\x00b")}, headers=admin.headers
    )
    assert nul.status_code == 422


def test_booster_times_and_return_dates_are_bounded(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    made = api.client.post(
        "/v1/me/booster-requests", json={"reason": "Help"}, headers=patient.headers
    ).json()
    for moment in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"):
        response = api.client.patch(
            f"/v1/booster-requests/{made['id']}",
            json={"status": "scheduled", "scheduled_for": moment},
            headers=therapist.headers,
        )
        assert response.status_code == 422, response.text
    for day in ("9999-12-01", "0001-01-01"):
        response = api.client.put(
            f"/v1/patients/{patient.id}/rtw-completion",
            json={"rtw_completed_on": day},
            headers=therapist.headers,
        )
        assert response.status_code == 422, response.text


def test_no_replay_for_a_therapist_who_lost_the_patient(api: Api) -> None:
    admin, first, second = api.admin(), api.therapist(), api.therapist()
    patient = api.patient(first)
    url = f"/v1/patients/{patient.id}/assignments"
    body = {
        "exercise_kind": "attention_training",
        "times_per_day": 1,
        "starts_on": date.today().isoformat(),
    }
    headers = first.headers | {"Idempotency-Key": "prescribe-1"}
    assert api.client.post(url, json=body, headers=headers).status_code == 201
    moved = api.client.post(
        "/v1/admin/care-links",
        json={"patient_id": str(patient.id), "therapist_id": str(second.id)},
        headers=admin.headers,
    )
    assert moved.status_code == 201
    replay = api.client.post(url, json=body, headers=headers)
    assert replay.status_code == 404
    assert replay.json()["code"] == "patient_not_found"
