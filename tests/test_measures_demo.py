"""`mestring seed-demo`: PHQ-9 and GAD-7 every two weeks, trending down, one acknowledged alert."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from tests.factories import Api


def test_seed_demo_gives_the_patient_measures_trending_down_and_one_acknowledged_alert(
    api: Api,
) -> None:
    from app.seed import seed_demo

    for _ in range(2):  # again-safe
        api.db(lambda session: seed_demo(session, hasher=api.services.hasher))
    patient = api.login("patient@demo.example.com", "demo-patient-pass")
    headers = {"Authorization": f"Bearer {patient['access_token']}"}
    for measure, scores in (("phq9", [6.0, 9.0, 13.0, 16.0]), ("gad7", [5.0, 8.0, 11.0, 14.0])):
        history = api.client.get(f"/v1/me/measures/{measure}/responses", headers=headers).json()
        assert [r["score"] for r in history["data"]] == scores  # newest first
        assert history["trend"]["reliable_change"] == "improved"
        days = [date.fromisoformat(r["local_date"]) for r in history["data"]]
        assert {(a - b).days for a, b in pairwise(days)} == {14}
        assert not any(r["late"] for r in history["data"])
    phq9 = api.client.get("/v1/me/measures/phq9/responses", headers=headers).json()["data"]
    alerts = [r["risk_alert"] for r in phq9 if r["risk_alert"]]
    assert [a["status"] for a in alerts] == ["acknowledged"]
    assert api.client.get("/v1/me/measures/due", headers=headers).json()["count"] == 0
    therapist = api.login("therapist@demo.example.com", "demo-therapist-pass")
    theirs = {"Authorization": f"Bearer {therapist['access_token']}"}
    listed = api.client.get("/v1/risk-alerts", params={"status": "all"}, headers=theirs).json()
    assert [a["acknowledgement"]["action_taken"] for a in listed["data"]] == ["called_patient"]
    schedule = api.client.get(
        f"/v1/patients/{listed['data'][0]['patient_id']}/measure-schedule", headers=theirs
    ).json()
    assert [(s["measure"], s["every_days"]) for s in schedule["schedules"]] == [
        ("gad7", 14),
        ("phq9", 14),
    ]
