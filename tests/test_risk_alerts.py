"""Risk alerts: opened with the answer, crisis numbers at once, acknowledged once and never
deleted, escalated to on-call therapists when nobody acknowledges in time."""

from __future__ import annotations

import re
import uuid
from typing import Any

import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.main import create_app
from app.measures.models import measure_response_table, risk_alert_table
from app.privacy.models import erasure_receipt_table
from tests.checkin_helpers import relogin
from tests.conftest import make_settings
from tests.factories import Actor, Api
from tests.measure_helpers import NOW, answer, body, post, put_on_call

LATER = "2026-11-19T11:00:00Z"  # 25 hours after NOW: past the default 24 h


def _alerts(api: Api, therapist: Actor, path: str = "/v1/risk-alerts", **params: Any) -> Any:
    return api.client.get(path, params=params, headers=therapist.headers)


def _ack(api: Api, therapist: Actor, alert_id: str, **payload: Any) -> Any:
    return api.client.post(
        f"/v1/risk-alerts/{alert_id}/acknowledge", json=payload, headers=therapist.headers
    )


def _count(api: Api, table: Any) -> int:
    async def work(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)

    return api.db(work)


@time_machine.travel(NOW, tick=False)
def test_item_9_above_0_opens_an_alert_and_shows_crisis_numbers(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist, locale="nb")
    payload = body("phq9", 14, item9=1)
    first = post(api, patient, "phq9", payload)
    assert first.status_code == 201, first.text
    saved = first.json()
    assert (saved["score"], saved["band"]) == (14.0, "moderate")
    assert saved["risk_alert"]["status"] == "open"
    support = saved["support"]
    assert "Terapeuten din vil se dette svaret" in support["message"]
    assert "ikke fulgt med på hele døgnet" in support["message"]
    assert [r["number"] for r in support["resources"]] == ["113", "116 117", "116 123"]
    assert support["resources"][1]["label"] == "Legevakt"
    # A retry (the phone lost the answer) shows the numbers again, and opens nothing new.
    again = post(api, patient, "phq9", payload)
    assert again.status_code == 200
    assert again.json() == saved

    listed = _alerts(api, therapist)
    assert listed.status_code == 200
    alerts = listed.json()
    assert alerts["count"] == 1
    assert "not a diagnosis" in alerts["notice"]
    alert = alerts["data"][0]
    assert (alert["patient_id"], alert["item_id"], alert["answer"], alert["status"]) == (
        str(patient.id),
        "phq9_9",
        1,
        "open",
    )
    assert (alert["response_id"], alert["score"], alert["access"]) == (
        payload["id"],
        14.0,
        "care_link",
    )
    assert alert["created_at"] == "2026-11-18T10:00:00Z"
    assert alert["overdue_at"] == "2026-11-19T10:00:00Z"
    mine = _alerts(api, therapist, f"/v1/patients/{patient.id}/risk-alerts").json()
    assert mine["data"] == alerts["data"]

    quiet = answer(api, patient, "phq9", 14, item9=0)
    assert (quiet["support"], quiet["risk_alert"]) == (None, None)
    for total in (0, 21):
        assert answer(api, patient, "gad7", total)["support"] is None
    assert _count(api, risk_alert_table) == 1


def test_crisis_numbers_are_a_deployment_setting_and_speak_english(database_url: str) -> None:
    resources = [{"number": "999", "nb": "Nødnummer", "en": "Emergency services"}]
    settings = make_settings(database_url, crisis_resources=resources, risk_ack_hours=2)
    with TestClient(create_app(settings)) as client:
        api = Api(client)
        with time_machine.travel(NOW, tick=False):
            therapist = api.therapist()
            patient = api.patient(therapist, locale="en")
            saved = answer(api, patient, "phq9", 5, item9=3)
            assert saved["support"] == {
                "message": (
                    "Thank you for answering. Your therapist will see this answer. The app is "
                    "not watched around the clock, so if you are in an acute situation, call "
                    "one of the numbers below."
                ),
                "resources": [{"number": "999", "label": "Emergency services"}],
            }
            alert = _alerts(api, therapist).json()["data"][0]
            assert alert["overdue_at"] == "2026-11-18T12:00:00Z"  # two hours in this deployment


@time_machine.travel(NOW, tick=False)
def test_the_alert_is_written_with_the_answer_or_not_at_all(api: Api) -> None:
    patient = api.patient(api.therapist())

    async def rename(old: str, new: str) -> None:
        async with api.services.engine.begin() as connection:
            await connection.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))

    portal = api.client.portal
    assert portal is not None
    portal.call(rename, "risk_alerts", "risk_alerts_moved")
    try:
        failed = post(api, patient, "phq9", body("phq9", 20, item9=2))
    finally:
        portal.call(rename, "risk_alerts_moved", "risk_alerts")
    assert failed.status_code == 500
    assert _count(api, measure_response_table) == 0  # no answer without its alert


@time_machine.travel(NOW, tick=False)
def test_acknowledgement_once_with_the_action_and_the_patient_sees_only_that(api: Api) -> None:
    therapist = api.therapist(name="Tora Terapeut")
    patient = api.patient(therapist)
    saved = answer(api, patient, "phq9", 16, item9=2)
    alert_id = saved["risk_alert"]["id"]
    for bad in (
        {"action_taken": "sent_flowers"},
        {"action_taken": "other"},  # `other` says what in the note
        {"action_taken": "called_patient", "note": "x" * 1001},
        {},
    ):
        assert _ack(api, therapist, alert_id, **bad).status_code == 422, bad
    note = "Ringte, avtalte time i morgen " + uuid.uuid4().hex[:6]
    done = _ack(api, therapist, alert_id, action_taken="called_patient", note=note)
    assert done.status_code == 200, done.text
    acknowledged = done.json()
    assert acknowledged["status"] == "acknowledged"
    assert acknowledged["acknowledgement"] == {
        "at": "2026-11-18T10:00:00Z",
        "by_id": str(therapist.id),
        "by_name": "Tora Terapeut",
        "action_taken": "called_patient",
        "note": note,
    }
    twice = _ack(api, therapist, alert_id, action_taken="met_patient")
    assert (twice.status_code, twice.json()["code"]) == (409, "risk_alert_already_acknowledged")
    assert _alerts(api, therapist).json()["count"] == 0  # unacknowledged by default
    everything = _alerts(api, therapist, status="all").json()["data"]
    assert [a["acknowledgement"]["action_taken"] for a in everything] == ["called_patient"]

    history = api.client.get("/v1/me/measures/phq9/responses", headers=patient.headers)
    assert history.json()["data"][0]["risk_alert"] == {
        "id": alert_id,
        "status": "acknowledged",
        "acknowledged_at": "2026-11-18T10:00:00Z",
    }
    assert note not in history.text
    log = api.client.get("/v1/me/access-log", headers=patient.headers).json()["data"]
    assert {(e["kind"], e["reason"]) for e in log} == {("risk-alerts", "care_link")}

    stranger = api.therapist()
    hidden = _ack(api, stranger, alert_id, action_taken="called_patient")
    missing = _ack(api, stranger, str(uuid.uuid4()), action_taken="called_patient")
    assert hidden.status_code == missing.status_code == 404
    assert (
        hidden.json()
        == missing.json()
        == {
            "detail": "Risk alert not found.",
            "code": "risk_alert_not_found",
        }
    )


@time_machine.travel(NOW, tick=False)
def test_alerts_are_never_deleted_nor_changed_after_acknowledgement(api: Api, backend: str) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    open_id = answer(api, patient, "phq9", 10, item9=1)["risk_alert"]["id"]
    done_id = answer(api, patient, "phq9", 12, item9=1)["risk_alert"]["id"]
    assert _ack(api, therapist, done_id, action_taken="met_patient").status_code == 200

    async def attempt(sql: str) -> str:
        async with api.services.engine.begin() as connection:
            try:
                await connection.execute(text(sql))
            except DBAPIError:
                return "refused"
        return "allowed"

    refused = [
        "DELETE FROM risk_alerts",
        f"DELETE FROM risk_alerts WHERE id = '{open_id}'",
        f"UPDATE risk_alerts SET note = 'rewritten' WHERE id = '{done_id}'",
        f"UPDATE risk_alerts SET answer = 0 WHERE id = '{open_id}'",
        f"UPDATE risk_alerts SET created_at = acknowledged_at WHERE id = '{done_id}'",
    ]
    if backend == "postgresql":
        refused.append("TRUNCATE risk_alerts CASCADE")
    portal = api.client.portal
    assert portal is not None
    for sql in refused:
        sql = _uuid_literal(sql, backend)
        assert portal.call(attempt, sql) == "refused", sql
    assert _count(api, risk_alert_table) == 2
    everything = _alerts(api, therapist, status="all").json()["data"]
    assert sorted(a["status"] for a in everything) == ["acknowledged", "open"]


def _uuid_literal(sql: str, backend: str) -> str:
    """SQLite stores UUIDs as 32 hex digits; PostgreSQL takes the usual form."""
    if backend != "sqlite":
        return sql
    return re.sub(r"'([0-9a-f-]{36})'", lambda m: "'" + m.group(1).replace("-", "") + "'", sql)


def test_overdue_alerts_reach_the_therapists_on_call(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        own = api.therapist(name="Tora Terapeut")
        on_call, off_duty = api.therapist(name="Vakt Havende"), api.therapist()
        put_on_call(api, on_call)
        patient = api.patient(own, name="Per Pasient")
        alert_id = answer(api, patient, "phq9", 18, item9=1)["risk_alert"]["id"]
        early = _alerts(api, on_call, "/v1/risk-alerts/on-call")
        assert (early.status_code, early.json()["count"]) == (200, 0)
        scoped = _alerts(api, on_call, f"/v1/patients/{patient.id}/risk-alerts")
        assert scoped.status_code == 404
    with time_machine.travel("2026-11-19T09:00:00Z", tick=False):
        for actor in (own, on_call, off_duty, patient):
            relogin(api, actor)
        # A newer alert, not yet overdue: the on-call therapist never sees it.
        answer(api, patient, "phq9", 11, "2026-11-19T09:00:00Z", item9=1)
    with time_machine.travel(LATER, tick=False):
        for actor in (own, on_call, off_duty, patient):
            relogin(api, actor)
        statuses = [a["status"] for a in _alerts(api, own).json()["data"]]
        assert statuses == ["open", "overdue"]
        escalated = _alerts(api, on_call, "/v1/risk-alerts/on-call").json()
        assert [(a["id"], a["status"], a["access"]) for a in escalated["data"]] == [
            (alert_id, "overdue", "risk_escalation")
        ]
        assert (escalated["data"][0]["patient_name"], escalated["data"][0]["therapist_name"]) == (
            "Per Pasient",
            "Tora Terapeut",
        )
        scoped = _alerts(api, on_call, f"/v1/patients/{patient.id}/risk-alerts").json()
        assert [a["id"] for a in scoped["data"]] == [alert_id]
        # Nothing else of the patient opens up.
        for path in ("", "/measures/phq9/responses", "/checkins", "/measure-schedule"):
            seen = api.client.get(f"/v1/patients/{patient.id}{path}", headers=on_call.headers)
            assert seen.status_code == 404, path
        # Not on call: nothing.
        refused = _alerts(api, off_duty, "/v1/risk-alerts/on-call")
        assert (refused.status_code, refused.json()["code"]) == (403, "not_on_call")
        # the text tells the therapist why (being on call), not only that they may not
        assert refused.json()["detail"] == "Only therapists on call see escalated risk alerts."
        assert _alerts(api, off_duty, f"/v1/patients/{patient.id}/risk-alerts").status_code == 404
        assert _ack(api, off_duty, alert_id, action_taken="called_patient").status_code == 404

        done = _ack(api, on_call, alert_id, action_taken="referred_emergency", note="113")
        assert done.status_code == 200, done.text
        assert (done.json()["access"], done.json()["acknowledgement"]["by_name"]) == (
            "risk_escalation",
            "Vakt Havende",
        )
        assert _alerts(api, on_call, "/v1/risk-alerts/on-call").json()["count"] == 0
        after = _alerts(api, on_call, f"/v1/patients/{patient.id}/risk-alerts")
        assert after.status_code == 404
        assert [a["status"] for a in _alerts(api, own, status="all").json()["data"]] == [
            "open",
            "acknowledged",
        ]
        log = api.client.get("/v1/me/access-log", headers=patient.headers).json()["data"]
        by_reader = {(e["reader_name"], e["reason"]) for e in log}
        assert ("Vakt Havende", "risk_escalation") in by_reader
        assert all(
            e["reason"] == "risk_escalation" for e in log if e["reader_name"] == "Vakt Havende"
        )
        assert not any(e["reader_id"] == str(off_duty.id) for e in log)


def test_only_therapists_can_be_put_on_call(api: Api) -> None:
    admin, patient = api.admin(), api.patient()
    refused = api.client.put(
        f"/v1/admin/users/{patient.id}/on-call", json={"on_call": True}, headers=admin.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "on_call_therapists_only")
    missing = api.client.put(
        f"/v1/admin/users/{uuid.uuid4()}/on-call", json={"on_call": True}, headers=admin.headers
    )
    assert missing.status_code == 404
    therapist = api.therapist()
    put_on_call(api, therapist)
    listed = api.client.get("/v1/admin/users", params={"role": "therapist"}, headers=admin.headers)
    assert [u["on_call"] for u in listed.json()["data"]] == [True]
    put_on_call(api, therapist, False)
    assert _alerts(api, therapist, "/v1/risk-alerts/on-call").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_erasure_leaves_only_a_count_of_the_alerts(api: Api, settings: Settings) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    answer(api, patient, "gad7", 9)
    alert_id = answer(api, patient, "phq9", 15, item9=1)["risk_alert"]["id"]
    _ack(api, therapist, alert_id, action_taken="scheduled_session")
    erased = api.client.request(
        "DELETE", "/v1/me", json={"password": patient.password}, headers=patient.headers
    )
    assert erased.status_code == 204, erased.text
    assert _count(api, risk_alert_table) == _count(api, measure_response_table) == 0

    async def receipt(session: AsyncSession) -> dict[str, int]:
        rows = (await session.execute(select(erasure_receipt_table.c.deleted_rows))).all()
        assert len(rows) == 1
        deleted: dict[str, int] = rows[0][0]
        return deleted

    deleted = api.db(receipt)
    assert (deleted["risk_alerts"], deleted["measure_responses"]) == (1, 2)
