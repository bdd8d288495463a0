"""Symptom measures over HTTP: definitions, the therapist's schedule, what is due, answering
offline-safe, and the history with the change from the first response."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.checkin_helpers import relogin
from tests.dashboard_helpers import counted
from tests.factories import Api
from tests.measure_helpers import NOW, answer, body, post, schedule


def test_definitions_in_the_callers_locale(api: Api) -> None:
    nb, en = api.patient(locale="nb"), api.therapist(locale="en")
    phq9 = api.client.get("/v1/questionnaires/phq9", headers=nb.headers).json()
    assert (phq9["key"], phq9["version"], phq9["locale"], phq9["illustrative"]) == (
        "phq9",
        1,
        "nb",
        True,
    )
    assert [item["id"] for item in phq9["items"]] == [f"phq9_{i}" for i in range(1, 10)]
    assert phq9["scoring"] == {"method": "sum", "per_domain": None, "min": 0.0, "max": 27.0}
    assert [(b["id"], b["min"]) for b in phq9["bands"]] == [
        ("minimal", 0.0),
        ("mild", 5.0),
        ("moderate", 10.0),
        ("moderately_severe", 15.0),
        ("severe", 20.0),
    ]
    assert phq9["alerts"] == [{"id": "self_harm", "items": ["phq9_9"], "at_least": 1}]
    assert [label["value"] for label in phq9["scale"]["labels"]] == [0, 1, 2, 3]
    gad7 = api.client.get("/v1/questionnaires/gad7", headers=en.headers).json()
    assert (gad7["locale"], len(gad7["items"]), gad7["scoring"]["max"]) == ("en", 7, 21.0)
    assert gad7["alerts"] == []
    # The RTW-SE route is its own, unchanged; an unknown instrument is a 422.
    rtw = api.client.get("/v1/questionnaires/rtw-se", headers=en.headers).json()
    assert set(rtw) == {"id", "key", "version", "locale", "title", "items", "scale", "illustrative"}
    unknown = api.client.get("/v1/questionnaires/wsas", headers=en.headers)
    assert unknown.status_code == 422


@time_machine.travel(NOW, tick=False)
def test_the_therapist_schedules_and_replaces_measures(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    base = f"/v1/patients/{patient.id}/measure-schedule"
    empty = api.client.get(base, headers=therapist.headers)
    assert empty.json() == {"schedules": []}
    both = schedule(
        api,
        therapist,
        patient,
        {"measure": "phq9", "every_days": 14, "starts_on": "2026-11-18"},
        {"measure": "gad7", "every_days": 14, "starts_on": "2026-11-18"},
    )
    assert both.status_code == 200, both.text
    assert [(s["measure"], s["every_days"]) for s in both.json()["schedules"]] == [
        ("gad7", 14),
        ("phq9", 14),
    ]
    only = schedule(
        api, therapist, patient, {"measure": "phq9", "every_days": 28, "starts_on": "2026-11-20"}
    )
    assert [(s["measure"], s["every_days"], s["starts_on"]) for s in only.json()["schedules"]] == [
        ("phq9", 28, "2026-11-20")
    ]
    assert api.client.get(base, headers=therapist.headers).json() == only.json()
    for bad in (
        [{"measure": "phq9", "every_days": 6, "starts_on": "2026-11-18"}],
        [{"measure": "phq9", "every_days": 57, "starts_on": "2026-11-18"}],
        [{"measure": "wsas", "every_days": 14, "starts_on": "2026-11-18"}],
        [{"measure": "phq9", "every_days": 14, "starts_on": "2026-11-18"}] * 2,
    ):
        refused = schedule(api, therapist, patient, *bad)
        assert refused.status_code == 422, bad
    assert api.client.get(base, headers=therapist.headers).json() == only.json()
    cleared = schedule(api, therapist, patient)
    assert cleared.json() == {"schedules": []}


def test_due_measures_follow_the_schedule_and_the_answers(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    with time_machine.travel("2026-11-02T08:00:00Z", tick=False):
        relogin(api, therapist)
        relogin(api, patient)
        schedule(
            api,
            therapist,
            patient,
            {"measure": "phq9", "every_days": 14, "starts_on": "2026-11-02"},
            {"measure": "gad7", "every_days": 7, "starts_on": "2026-11-09"},
        )
        due = api.client.get("/v1/me/measures/due", headers=patient.headers).json()
        assert due == {
            "data": [
                {
                    "measure": "phq9",
                    "due_on": "2026-11-02",
                    "answer_by": "2026-11-04",
                    "status": "due",
                    "every_days": 14,
                }
            ],
            "count": 1,
            "next_cursor": None,
        }
        today = api.client.get("/v1/me/today", headers=patient.headers).json()
        assert today["measures_due"] == due["data"]
    with time_machine.travel("2026-11-05T08:00:00Z", tick=False):  # past the window
        relogin(api, patient)
        due = api.client.get("/v1/me/measures/due", headers=patient.headers).json()["data"]
        assert [(d["measure"], d["status"]) for d in due] == [("phq9", "overdue")]
        late = answer(api, patient, "phq9", 8, "2026-11-05T07:30:00Z")
        assert (late["due_on"], late["late"]) == ("2026-11-02", True)
        assert api.client.get("/v1/me/measures/due", headers=patient.headers).json()["count"] == 0
    with time_machine.travel("2026-11-09T06:00:00Z", tick=False):  # GAD-7 starts today
        relogin(api, patient)
        due = api.client.get("/v1/me/measures/due", headers=patient.headers).json()["data"]
        assert [(d["measure"], d["status"], d["due_on"]) for d in due] == [
            ("gad7", "due", "2026-11-09")
        ]
        on_time = answer(api, patient, "gad7", 4, "2026-11-09T06:00:00Z")
        assert (on_time["due_on"], on_time["late"]) == ("2026-11-09", False)
        assert api.client.get("/v1/me/today", headers=patient.headers).json()["measures_due"] == []


@time_machine.travel(NOW, tick=False)
def test_an_answer_without_a_schedule_is_kept(api: Api) -> None:
    """Never drop an answer: the phone may hold one the therapist has since unscheduled."""
    patient = api.patient(api.therapist())
    saved = answer(api, patient, "gad7", 9)
    assert (saved["score"], saved["band"], saved["due_on"], saved["late"]) == (
        9.0,
        "mild",
        None,
        False,
    )
    assert (saved["support"], saved["risk_alert"], saved["change_from_first"]) == (None, None, 0)
    # Version 1 carries our own labels: the score is computed, but not a validated measurement.
    assert (saved["questionnaire_version"], saved["illustrative"]) == (1, True)


@time_machine.travel(NOW, tick=False)
def test_retries_are_offline_safe(api: Api) -> None:
    patient, other = api.patient(), api.patient()
    payload = body("phq9", 11, "2026-11-18T07:00:00Z")
    first = post(api, patient, "phq9", payload)
    assert first.status_code == 201, first.text
    assert (first.json()["score"], first.json()["band"]) == (11.0, "moderate")
    assert first.json()["local_date"] == "2026-11-18"
    again = post(api, patient, "phq9", payload)
    assert again.status_code == 200
    assert again.json() == first.json()
    # The same instant written in another offset is the same body.
    shifted = {**payload, "answered_at": "2026-11-18T08:00:00+01:00"}
    assert post(api, patient, "phq9", shifted).status_code == 200
    changed = post(api, patient, "phq9", {**payload, "answers": body("phq9", 12)["answers"]})
    assert changed.status_code == 409
    assert changed.json()["code"] == "measure_response_id_conflict"
    as_gad7 = post(api, patient, "gad7", {**payload, "answers": body("gad7", 3)["answers"]})
    assert as_gad7.status_code == 409
    stolen = post(api, other, "phq9", payload)
    assert (stolen.status_code, stolen.json()) == (409, changed.json())
    history = api.client.get("/v1/me/measures/phq9/responses", headers=patient.headers).json()
    assert history["count"] == 1
    assert (
        api.client.get("/v1/me/measures/phq9/responses", headers=other.headers).json()["count"] == 0
    )


@time_machine.travel(NOW, tick=False)
def test_bad_answers_are_refused_and_nothing_is_stored(api: Api) -> None:
    patient = api.patient()
    cases = [
        ({"answers": {f"phq9_{i}": 1 for i in range(1, 9)}}, 422, "answers_mismatch"),
        ({"answers": {**body("phq9", 3)["answers"], "phq9_1": 4}}, 422, "answers_mismatch"),
        ({"answers": body("gad7", 3)["answers"]}, 422, "answers_mismatch"),
        ({"answered_at": "2026-11-18T10:06:00Z"}, 422, "answered_at_in_future"),
        ({"answered_at": "2026-08-19T10:00:00Z"}, 422, "answered_at_too_old"),
        ({"answered_at": "2026-11-18T10:00:00"}, 422, "validation_error"),  # no offset
        ({"answers": {"phq9_1": "1"}}, 422, "validation_error"),  # strict numbers
        ({"extra": 1}, 422, "validation_error"),
    ]
    for change, status, code in cases:
        response = post(api, patient, "phq9", {**body("phq9", 3), **change})
        assert (response.status_code, response.json()["code"]) == (status, code), change
    assert post(api, patient, "wsas", body("phq9", 3)).status_code == 422
    history = api.client.get("/v1/me/measures/phq9/responses", headers=patient.headers).json()
    assert (history["count"], history["trend"]) == (0, None)


@time_machine.travel(NOW, tick=False)
def test_history_newest_first_with_change_from_the_first_and_the_trend(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    for total, at in ((17, "2026-10-07T18:00:00Z"), (13, "2026-10-21T18:00:00Z")):
        answer(api, patient, "phq9", total, at)
    latest = answer(api, patient, "phq9", 9, "2026-11-04T18:00:00Z")
    assert latest["change_from_first"] == -8.0  # 9 - 17
    # Sent late from a phone that was offline: answered before the others, so it is the first.
    earliest = answer(api, patient, "phq9", 19, "2026-09-23T18:00:00Z")
    assert earliest["change_from_first"] == 0
    mine = api.client.get(
        "/v1/me/measures/phq9/responses", params={"limit": 3}, headers=patient.headers
    ).json()
    assert [(r["score"], r["change_from_first"]) for r in mine["data"]] == [
        (9.0, -10.0),
        (13.0, -6.0),
        (17.0, -2.0),
    ]
    assert [r["band"] for r in mine["data"]] == ["mild", "moderate", "moderately_severe"]
    assert mine["trend"] == {
        "first_score": 19.0,
        "first_answered_at": "2026-09-23T18:00:00Z",
        "latest_score": 9.0,
        "latest_answered_at": "2026-11-04T18:00:00Z",
        "change": -10.0,
        "reliable_change": "improved",
    }
    rest = api.client.get(
        "/v1/me/measures/phq9/responses",
        params={"limit": 3, "cursor": mine["next_cursor"]},
        headers=patient.headers,
    ).json()
    assert [r["score"] for r in rest["data"]] == [19.0]
    assert rest["next_cursor"] is None
    theirs = api.client.get(
        f"/v1/patients/{patient.id}/measures/phq9/responses", headers=therapist.headers
    )
    assert theirs.status_code == 200
    assert [r["score"] for r in theirs.json()["data"]] == [9.0, 13.0, 17.0, 19.0]
    assert theirs.json()["trend"] == mine["trend"]
    log = api.client.get("/v1/me/access-log", headers=patient.headers).json()["data"]
    assert [(e["kind"], e["reason"], e["records"]) for e in log] == [
        ("measures/phq9/responses", "care_link", 4)
    ]
    gad7 = api.client.get("/v1/me/measures/gad7/responses", headers=patient.headers).json()
    assert (gad7["count"], gad7["trend"]) == (0, None)


@time_machine.travel(NOW, tick=False)
def test_reading_due_measures_costs_one_statement_whatever_the_history(api: Api) -> None:
    therapist = api.therapist()
    fresh, seasoned = api.patient(therapist), api.patient(therapist)
    for who in (fresh, seasoned):
        schedule(
            api, therapist, who, {"measure": "phq9", "every_days": 7, "starts_on": "2026-01-05"}
        )
    start = datetime(2026, 11, 17, 9, tzinfo=UTC)
    for week in range(12):
        at = (start - timedelta(days=7 * week)).isoformat()
        assert post(api, seasoned, "phq9", body("phq9", 5, at)).status_code == 201
    sizes = []
    for who in (fresh, seasoned):
        with counted(api) as statements:
            assert api.client.get("/v1/me/measures/due", headers=who.headers).status_code == 200
        sizes.append(len(statements))
    assert sizes == [2, 2]  # the caller's auth lookup and the due measures
