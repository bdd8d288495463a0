"""GET/PUT /v1/me/reminders, the scheduler and the outbox (issue 17, "Reminders and push").

Done when: "a patient who has not checked in by 19:00 gets one push, a patient who did gets
none". The clock is pinned to Sunday 10 January 2027, 19:05 in Oslo (18:05 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.checkin_helpers import answers
from tests.dashboard_helpers import log_att
from tests.factories import Api
from tests.reminder_helpers import deliver_one, outbox, run_scheduler, set_reminders

NOW = datetime(2027, 1, 10, 18, 5, tzinfo=UTC)  # 19:05 in Oslo
TODAY = "2027-01-10"


def test_preferences_default_then_replace(api: Api) -> None:
    patient = api.patient(timezone="Europe/Oslo")
    first = api.client.get("/v1/me/reminders", headers=patient.headers)
    assert first.status_code == 200
    assert first.json() == {
        "checkin_at": None,
        "worry_time_minutes_before": None,
        "homework_at": None,
        "measures": None,
        "quiet_hours": None,
        "therapist_messages": True,
        "timezone": "Europe/Oslo",
        "updated_at": None,
    }
    saved = set_reminders(
        api,
        patient,
        checkin_at="19:00",
        worry_time_minutes_before=15,
        quiet_hours={"from": "22:00", "to": "07:00"},
        therapist_messages=False,
    )
    assert saved["checkin_at"] == "19:00"
    assert saved["quiet_hours"] == {"from": "22:00", "to": "07:00"}
    assert saved["therapist_messages"] is False
    assert saved["updated_at"] is not None
    again = set_reminders(api, patient, homework_at="08:30")  # PUT replaces: the rest is off
    assert (again["checkin_at"], again["homework_at"], again["quiet_hours"]) == (
        None,
        "08:30",
        None,
    )
    assert api.client.get("/v1/me/reminders", headers=patient.headers).json() == again


def test_bad_preferences_are_refused(api: Api) -> None:
    patient = api.patient()
    url = "/v1/me/reminders"
    for body in (
        {"therapist_messages": True, "checkin_at": "24:00"},
        {"therapist_messages": True, "checkin_at": "7:00"},
        {"therapist_messages": True, "quiet_hours": {"from": "22:00", "to": "22:00"}},
        {"therapist_messages": True, "quiet_hours": {"from": "22:00"}},
        {"therapist_messages": True, "worry_time_minutes_before": 241},
        {"therapist_messages": 1},
        {"therapist_messages": True, "sound": "loud"},
        {},
    ):
        response = api.client.put(url, json=body, headers=patient.headers)
        assert response.status_code == 422, body
    therapist = api.therapist()
    assert api.client.get(url, headers=therapist.headers).status_code == 403
    assert api.client.get(url).status_code == 401


def test_not_checked_in_by_19_gets_one_push_checked_in_gets_none(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        lazy = api.patient(timezone="Europe/Oslo", locale="en")
        done = api.patient(timezone="Europe/Oslo")
        for patient in (lazy, done):
            set_reminders(api, patient, checkin_at="19:00")
        checkin = api.client.put(
            f"/v1/me/checkins/{TODAY}", json={"answers": answers(4)}, headers=done.headers
        )
        assert checkin.status_code == 201, checkin.text
        created = run_scheduler(api)
        assert len(created) == 1
        (row,) = outbox(api, lazy)
        assert (row.kind, str(row.local_date), row.status) == ("checkin", TODAY, "pending")
        assert row.not_after == datetime(2027, 1, 10, 20, 0, tzinfo=UTC)  # 19:00 + 2 h
        assert outbox(api, done) == []
        assert run_scheduler(api) == []  # at most once a day: the claim is taken
    with time_machine.travel(NOW + timedelta(minutes=50), tick=False):
        assert run_scheduler(api) == []
        assert len(outbox(api, lazy)) == 1


def test_not_due_before_its_time_nor_two_hours_after(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        early = api.patient(timezone="Europe/Oslo")
        late = api.patient(timezone="Europe/Oslo")
        set_reminders(api, early, checkin_at="19:06")
        set_reminders(api, late, checkin_at="17:05")  # exactly 2 h ago: too late
        assert run_scheduler(api) == []


def test_times_follow_the_zone_the_account_has_today(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        moved = api.patient(timezone="America/New_York")  # 13:05 there
        set_reminders(api, moved, checkin_at="19:00")
        assert run_scheduler(api) == []
        staying = api.patient(timezone="America/New_York")
        set_reminders(api, staying, checkin_at="13:00")
        assert len(run_scheduler(api)) == 1


def test_quiet_hours_skip_the_reminder_for_the_day(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        set_reminders(
            api, patient, checkin_at="19:00", quiet_hours={"from": "19:00", "to": "07:00"}
        )
        assert run_scheduler(api) == []
    with time_machine.travel(datetime(2027, 1, 11, 6, 0, tzinfo=UTC), tick=False):
        assert run_scheduler(api) == []  # 07:00 next day: not postponed to the morning
        assert outbox(api, patient) == []


def test_a_checkin_after_scheduling_skips_the_send(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        set_reminders(api, patient, checkin_at="19:00")
        (outbox_id,) = run_scheduler(api)
        checkin = api.client.put(
            f"/v1/me/checkins/{TODAY}", json={"answers": answers(4)}, headers=patient.headers
        )
        assert checkin.status_code == 201
        assert deliver_one(api, outbox_id).status == "skipped"
        assert deliver_one(api, outbox_id).status == "busy"  # finished: never claimed again
        (row,) = outbox(api, patient)
        assert (row.status, row.attempts) == ("skipped", 1)


def test_too_late_to_send_expires(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        set_reminders(api, patient, checkin_at="19:00")
        (outbox_id,) = run_scheduler(api)
    with time_machine.travel(datetime(2027, 1, 10, 20, 0, 1, tzinfo=UTC), tick=False):
        assert deliver_one(api, outbox_id).status == "expired"


def test_homework_reminder_only_while_todays_sessions_are_open(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        assigned = api.client.post(
            f"/v1/patients/{patient.id}/assignments",
            json={"exercise_kind": "attention_training", "starts_on": TODAY, "times_per_day": 1},
            headers=therapist.headers,
        )
        assert assigned.status_code == 201, assigned.text
        set_reminders(api, patient, homework_at="19:00", therapist_messages=False)
        created = run_scheduler(api)
        assert [r.kind for r in outbox(api, patient) if r.id in created] == ["homework"]
        log_att(api, patient, "2027-01-10T18:00:00Z")
        assert deliver_one(api, created[0]).status == "skipped"  # done meanwhile


def test_therapist_messages_go_through_the_outbox_unless_switched_off(api: Api) -> None:
    therapist = api.therapist()
    wants = api.patient(therapist)
    refuses = api.patient(therapist)
    set_reminders(api, refuses, therapist_messages=False)
    today = datetime.now(UTC).date().isoformat()
    ids = {}
    for patient in (wants, refuses):
        assigned = api.client.post(
            f"/v1/patients/{patient.id}/assignments",
            json={"exercise_kind": "attention_training", "starts_on": today, "times_per_day": 1},
            headers=therapist.headers,
        )
        assert assigned.status_code == 201, assigned.text
        ids[patient.id] = assigned.json()["id"]
    (row,) = outbox(api, wants)
    assert (row.kind, row.thing, row.status) == (
        "new_assignment",
        ids[wants.id],
        "pending",
    )
    assert outbox(api, refuses) == []
    request = api.client.post("/v1/me/booster-requests", json={}, headers=wants.headers).json()
    scheduled = api.client.patch(
        f"/v1/booster-requests/{request['id']}",
        json={"status": "scheduled", "scheduled_for": "2027-04-01T08:00:00Z"},
        headers=therapist.headers,
    )
    assert scheduled.status_code == 200, scheduled.text
    kinds = [r.kind for r in outbox(api, wants)]
    assert sorted(kinds) == ["booster_scheduled", "new_assignment"]
