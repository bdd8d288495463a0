"""`mestring seed-demo`: a barriers check with a workplace conflict, a communication plan in
draft, a dialogue meeting next week and one goal with two steps."""

from __future__ import annotations

from datetime import date, timedelta

from tests.factories import Api


def test_seed_demo_gives_the_patient_work_focused_therapy(api: Api) -> None:
    from app.seed import seed_demo

    for _ in range(2):  # again-safe
        api.db(lambda session: seed_demo(session, hasher=api.services.hasher))
    patient = api.login("patient@demo.example.com", "demo-patient-pass")
    headers = {"Authorization": f"Bearer {patient['access_token']}"}
    checks = api.client.get("/v1/me/barriers", headers=headers).json()["data"]
    assert [c["workplace_conflict"] for c in checks] == [True]
    plan = api.client.get("/v1/me/communication-plan", headers=headers).json()
    assert {e["status"] for e in plan["entries"]} == {"draft"}
    assert [e["audience"] for e in plan["entries"]] == ["manager", "colleagues"]
    listed = api.client.get("/v1/me/dialogue-meetings", headers=headers).json()["data"]
    assert len(listed) == 1
    today = date.fromisoformat(api.client.get("/v1/me/today", headers=headers).json()["local_date"])
    assert date.fromisoformat(listed[0]["local_date"]) == today + timedelta(days=7)
    assert listed[0]["agenda"]["communication_entry_ids"] == [plan["entries"][0]["id"]]
    found = api.client.get("/v1/me/goals", headers=headers).json()["data"]
    assert [(g["status"], len(g["steps"])) for g in found] == [("active", 2)]
