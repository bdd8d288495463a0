"""GET /v1/me/export: every record about the patient, counted, and nobody else's."""

from __future__ import annotations

import json
from typing import Any

import time_machine
from sqlalchemy import event

from tests.factories import Api
from tests.privacy_helpers import NOW, register, seed_everything, sql_counts

# Hand-counted from seed_everything: what each call leaves in the database.
EXPECTED = {
    "consents": 3,  # yes, no, and yes for adjustments
    "assignments": 1,
    "assignment_doses": 2,  # prescribed a week ago, changed today
    "exercise_logs": 2,
    "checkins": 2,
    "booster_requests": 1,
    "booster_request_events": 2,  # opened, scheduled
    "booster_rule": 1,
    "follow_ups": 4,  # 3 and 6 months after the return, and after the new job
    "rtw_completion": 1,
    "rtw_plan": 1,
    "rtw_plan_versions": 2,
    "work_diary": 2,
    "measure_schedules": 1,
    "measure_responses": 2,  # a GAD-7, and a PHQ-9 with item 9 above 0
    "risk_alerts": 1,
    "care_links": 1,
    "job_support": 2,  # a declined proposal and an accepted counsellor
    "employment": 2,  # the same employer, and a new one (whose 2 follow-ups are counted there)
    "joint_meetings": 1,
    "employer_contacts": 1,
    "sessions": 1,  # the login after registering
    "invitations": 1,  # made out to her address, used to register
    "barrier_checks": 2,
    "communication_plans": 1,
    "communication_plan_versions": 2,  # saved, then a suggestion accepted
    "communication_suggestions": 1,
    "dialogue_meetings": 1,
    "work_goals": 1,
    "devices": 2,  # a browser and a phone
    "reminder_settings": 1,
    "pushes": 2,  # therapist messages of the seeded events (on by default)
}
# The therapist's reads above: the assignment, booster rule and RTW completion answers and the
# profile (more if more therapist routes get logged; the count is checked against SQL below).
LOGGED_KINDS = {
    "assignments",
    "booster-rule",
    "rtw-completion",
    "profile",
    "measure-schedule",
    "risk-alerts",
}


def _export(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    response = api.client.get("/v1/me/export", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@time_machine.travel(NOW, tick=False)
def test_export_holds_every_record_and_no_one_elses(api: Api) -> None:
    therapist = api.therapist()
    kari = register(api, therapist, "Kari Eksport")
    ola = register(api, therapist, "Ola Annen")
    seed_everything(api, therapist, kari)
    seed_everything(api, therapist, ola)

    document = _export(api, kari.headers)
    assert document["schema_version"] == 1
    assert document["exported_at"] == "2026-11-16T10:00:00Z"
    assert document["profile"]["id"] == str(kari.id)
    assert document["profile"]["email"] == kari.email
    counts = document["counts"]
    assert counts == sql_counts(api, kari.id)
    assert {kind: n for kind, n in counts.items() if kind != "access_log"} == EXPECTED
    assert {entry["kind"] for entry in document["access_log"]} >= LOGGED_KINDS

    sections = {
        "consents": len(document["consents"]),
        "assignments": len(document["assignments"]),
        "assignment_doses": sum(len(a["doses"]) for a in document["assignments"]),
        "exercise_logs": len(document["exercise_logs"]),
        "checkins": len(document["checkins"]),
        "booster_requests": len(document["booster_requests"]),
        "booster_request_events": sum(len(r["events"]) for r in document["booster_requests"]),
        "booster_rule": int(document["booster_rule"] is not None),
        "follow_ups": len(document["follow_ups"]),
        "rtw_completion": int(document["rtw_completion"] is not None),
        "rtw_plan": int(document["rtw_plan"]["current"] is not None),
        "rtw_plan_versions": len(document["rtw_plan"]["versions"]),
        "work_diary": len(document["work_diary"]),
        "measure_schedules": len(document["measure_schedules"]),
        "measure_responses": len(document["measure_responses"]),
        "risk_alerts": len(document["risk_alerts"]),
        "care_links": len(document["care_links"]),
        "job_support": len(document["job_support"]),
        "employment": len(document["employment"]),
        "joint_meetings": len(document["joint_meetings"]),
        "employer_contacts": len(document["employer_contacts"]),
        "sessions": len(document["sessions"]),
        "invitations": len(document["invitations"]),
        "access_log": len(document["access_log"]),
        "devices": len(document["devices"]),
        "reminder_settings": len(document["reminder_settings"]),
        "pushes": len(document["pushes"]),
        **{kind: len(rows) for kind, rows in document["work_focus"].items()},
    }
    assert sections == counts
    # The Web Push auth secret is a credential, not information about the patient.
    assert sorted(d["platform"] for d in document["devices"]) == ["android", "web"]
    assert all("auth" not in d and "patient_id" not in d for d in document["devices"])

    assert [d["times_per_day"] for d in document["assignments"][0]["doses"]] == [2, 1]
    assert [(c["local_date"], c["score"]) for c in document["checkins"]] == [
        ("2026-11-15", 4.0),
        ("2026-11-16", 5.0),
    ]
    assert {c["questionnaire_key"] for c in document["checkins"]} == {"rtw-se"}
    assert all(c["questionnaire_version"] >= 1 for c in document["checkins"])
    # Both events carry the pinned time; their order then rests on the id.
    events = document["booster_requests"][0]["events"]
    assert sorted(e["to_status"] for e in events) == ["open", "scheduled"]
    assert [v["version"] for v in document["rtw_plan"]["versions"]] == [1, 2]
    assert document["rtw_plan"]["current"]["version"] == 2
    assert sorted(c["employer_contact"] for c in document["consents"]) == [False, True, True]
    contact = document["employer_contacts"][0]
    assert contact["consent_id"] == document["consents"][-1]["id"]
    assert (
        sorted(f["reason"] for f in document["follow_ups"]) == ["full_return"] * 2 + ["new_job"] * 2
    )
    # The therapist's and the counsellor's reads carry the same pinned time, so their order in
    # the export rests on the random id: compare as sets.
    assert str(therapist.id) in {entry["reader_id"] for entry in document["access_log"]}
    assert sorted(j["status"] for j in document["job_support"]) == ["accepted", "declined"]
    assert all(j["counsellor_name"] for j in document["job_support"])
    assert "job_support" in {entry["reason"] for entry in document["access_log"]}
    assert document["booster_rule"]["low_threshold"] == 3.5
    assert sorted((r["measure"], r["score"]) for r in document["measure_responses"]) == [
        ("gad7", 7.0),
        ("phq9", 13.0),
    ]
    alert = document["risk_alerts"][0]
    assert (alert["item_id"], alert["answer"], alert["action_taken"]) == (
        "phq9_9",
        1,
        "called_patient",
    )
    assert "note" not in alert  # the therapist's note stays the clinic's
    assert "Therapist's own words" not in json.dumps(document)

    text = json.dumps(document)
    for foreign in (str(ola.id), ola.id.hex, ola.email, "Ola Annen"):
        assert foreign not in text
    for secret in ("password", "hash", "token", "fingerprint", "response_body"):
        assert secret not in text.lower(), secret

    # The other patient's export is theirs alone, with the same shape.
    other = _export(api, ola.headers)
    assert other["counts"] == sql_counts(api, ola.id)
    assert other["counts"]["checkins"] == EXPECTED["checkins"]
    assert str(kari.id) not in json.dumps(other)


def test_a_new_patient_exports_an_empty_account(api: Api) -> None:
    patient = api.patient()
    document = _export(api, patient.headers)
    assert document["counts"].pop("sessions") == 1  # the factory's login
    assert set(document["counts"].values()) == {0}
    assert document["rtw_plan"] == {"current": None, "versions": []}
    assert document["booster_rule"] is None
    assert document["rtw_completion"] is None
    assert document["profile"]["role"] == "patient"


@time_machine.travel(NOW, tick=False)
def test_export_statement_count_does_not_grow_with_the_data(api: Api) -> None:
    """One statement per kind however many rows (no per-row queries)."""
    therapist = api.therapist()
    patient = register(api, therapist, "Per Teller")
    engine = api.services.engine.sync_engine
    counted: list[str] = []

    def count(*args: Any) -> None:
        counted.append(str(args[2]))

    def statements() -> int:
        counted.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            _export(api, patient.headers)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len([s for s in counted if s.lstrip().upper().startswith("SELECT")])

    empty = statements()
    seed_everything(api, therapist, patient)
    assert statements() == empty
