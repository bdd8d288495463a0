"""Every write path is captured: the change-log triggers cover every table about a patient
(found by walking the schema, not from a list), and a Core bulk UPDATE or DELETE of each
captured table shows up in the patient's sync with the right type.

A table added later that refers to a patient fails `test_every_table_about_a_patient_is_
captured_or_left_out_on_purpose` until a migration gives it triggers (see
migrations/versions/20261201_1600_1fc5005ad533_sync_change_log.py) or it is listed in
NOT_SYNCED with the reason.
"""

from __future__ import annotations

import uuid
from typing import Any

import time_machine
from sqlalchemy import Table, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import metadata
from app.exercises.models import assignment_table, exercise_log_table
from tests import measure_helpers as measures
from tests.factories import Actor, Api
from tests.measure_helpers import NOW as MEASURE_NOW
from tests.privacy_helpers import NOW, register, seed_everything
from tests.sync_helpers import exercise_log, next_changes, settle, sync_all

USERS = metadata.tables["users"]

# Tables about a patient whose rows the patient's app does not sync, and why.
NOT_SYNCED: dict[str, str] = {
    "users": "the account itself: GET /v1/me, not a synced record",
    "auth_sessions": "login sessions: token material, not the patient's records",
    "refresh_tokens": "token material",
    "mfa_factors": "staff only",
    "mfa_recovery_codes": "staff only",
    "care_links": "who treats the patient: not shown through a GET of the patient's own",
    "invitations": "staff-side onboarding",
    "access_log": "written on every staff read; the patient reads it with GET /v1/me/access-log",
    "booster_request_events": "staff-side history; a request's own row changes with each event",
    "booster_rule_overrides": "the therapist's rule settings, not shown to the patient",
    "rtw_completions": "the therapist's record, not shown to the patient",
    "devices": "the phone registers itself and GET /v1/me/devices lists them; push addresses "
    "and keys are delivery plumbing, not the patient's records",
    "reminder_settings": "server-side reminder preferences, read with GET /v1/me/reminders "
    "when the app shows them; the server, not the phone, acts on them",
    "push_outbox": "pushes waiting to be sent: delivery plumbing",
    "sent_reminders": "the once-a-day claims of reminders: delivery plumbing",
}

# The sync type a write to each captured table must produce.
EXPECTED_TYPES: dict[str, set[str]] = {
    "exercise_assignments": {"assignment"},
    "assignment_doses": {"assignment"},
    "exercise_logs": {"exercise_log"},
    "checkins": {"checkin"},
    "work_diary_entries": {"diary_entry"},
    "rtw_plans": {"rtw_plan"},
    "rtw_plan_versions": {"rtw_plan"},
    "booster_requests": {"booster_request"},
    "follow_ups": {"follow_up", "employment"},
    "consents": {"consents"},
    "measure_schedules": {"measure_schedule"},
    "measure_responses": {"measure_response"},
    "risk_alerts": {"measure_response"},
    "barrier_checks": {"barrier_check"},
    "communication_plans": {"communication_plan"},
    "communication_plan_versions": {"communication_plan"},
    "communication_suggestions": {"communication_plan"},
    "dialogue_meetings": {"dialogue_meeting"},
    "work_goals": {"goal"},
    "job_support_links": {"job_support_link"},
    "employments": {"employment"},
    "joint_meetings": {"joint_meeting"},
    "employer_contacts": {"employer_contact"},
}


def _about_a_patient() -> dict[str, Table]:
    """Tables that refer to users, directly or through a parent (as the privacy walk)."""
    found: dict[str, Table] = {"users": USERS}
    for table in metadata.sorted_tables:  # parents before children
        if any(
            key.column.table is USERS or key.column.table.name in found
            for key in table.foreign_keys
        ):
            found[table.name] = table
    return found


def _captured(api: Api) -> set[str]:
    async def work(session: AsyncSession) -> set[str]:
        if session.get_bind().dialect.name == "postgresql":
            query = (
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE 'sync\\_%' "
                "AND action_statement LIKE 'EXECUTE FUNCTION sync\\_%'"
            )
        else:
            query = (
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'sync\\_%' ESCAPE '\\' AND sql LIKE '%INSERT INTO sync_changes%'"
            )
        return {str(name) for name in await session.scalars(text(query))}

    return api.db(work)


def test_every_table_about_a_patient_is_captured_or_left_out_on_purpose(api: Api) -> None:
    about = set(_about_a_patient())
    captured = _captured(api)
    assert "exercise_logs" in about  # the walk can find them, children included
    assert "assignment_doses" in about
    missing = about - captured - set(NOT_SYNCED)
    assert not missing, f"no change-log triggers on {sorted(missing)}: add them or NOT_SYNCED"
    assert not captured & set(NOT_SYNCED), "captured tables must not be listed in NOT_SYNCED"
    assert captured == set(EXPECTED_TYPES), "name the sync type of each captured table"


@time_machine.travel(NOW, tick=False)
def test_a_bulk_write_to_every_captured_table_shows_up_in_sync(api: Api) -> None:
    therapist = api.therapist()
    kari, ola = register(api, therapist, "Kari Synk"), register(api, therapist, "Ola Synk")
    seed_everything(api, therapist, kari)
    seed_everything(api, therapist, ola)
    settle(api)  # else a seed write held back by another database's transaction comes later
    kari_snapshot, cursor = sync_all(api, kari)
    ola_snapshot, ola_cursor = sync_all(api, ola)
    for name, expected in EXPECTED_TYPES.items():
        if name == "risk_alerts":
            continue  # changes only when acknowledged (triggers refuse the rest): see below
        touched = _touch_one(api, kari, name)
        assert touched > 0, f"seed_everything wrote no {name} row for the patient"
        page = next_changes(api, kari, cursor, limit=200)
        cursor = page["next_cursor"]
        seen = {change["type"] for change in page["changes"]}
        # Several rows of one record written at once (two doses of one assignment): one change.
        assert len({(c["type"], c["id"]) for c in page["changes"]}) == len(page["changes"])
        assert seen, name
        assert seen <= expected, (name, seen)
    # Kari's changes never reach Ola (on PostgreSQL his own last seed writes may arrive now).
    kari_ids = {(c["type"], c["id"]) for c in kari_snapshot}
    ola_ids = {(c["type"], c["id"]) for c in ola_snapshot}
    assert len(kari_ids) > 20
    assert not kari_ids & ola_ids
    later, _ = sync_all(api, ola, ola_cursor)
    assert {(c["type"], c["id"]) for c in later} <= ola_ids


def _touch_one(api: Api, patient: Actor, name: str) -> int:
    async def work(session: AsyncSession) -> int:
        table = metadata.tables[name]
        if "patient_id" in table.c:
            where: Any = table.c.patient_id == patient.id
        else:  # doses: through their assignment
            mine = select(assignment_table.c.id).where(assignment_table.c.patient_id == patient.id)
            where = table.c.assignment_id.in_(mine)
        column = next(c for c in table.c if not c.primary_key)
        result = await session.execute(update(table).where(where).values({column: column}))
        await session.commit()
        return int(getattr(result, "rowcount", 0))

    return api.db(work)


def test_a_core_delete_comes_as_a_tombstone(api: Api) -> None:
    patient = api.patient()
    log_id = uuid.uuid4()
    made = api.client.post(
        "/v1/me/exercise-logs", json=exercise_log(id=str(log_id)), headers=patient.headers
    )
    assert made.status_code == 201, made.text
    _, cursor = sync_all(api, patient)

    async def delete(session: AsyncSession) -> None:
        await session.execute(exercise_log_table.delete().where(exercise_log_table.c.id == log_id))
        await session.commit()

    api.db(delete)
    page = next_changes(api, patient, cursor)
    assert page["changes"] == [
        {"type": "exercise_log", "id": str(log_id), "op": "delete", "data": None}
    ]


@time_machine.travel(MEASURE_NOW, tick=False)
def test_acknowledging_a_risk_alert_changes_the_response_in_sync(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    saved = measures.answer(api, patient, "phq9", 14, item9=1)
    _, cursor = sync_all(api, patient)
    acknowledged = api.client.post(
        f"/v1/risk-alerts/{saved['risk_alert']['id']}/acknowledge",
        json={"action_taken": "called_patient"},
        headers=therapist.headers,
    )
    assert acknowledged.status_code == 200, acknowledged.text
    page = next_changes(api, patient, cursor)
    assert [(c["type"], c["id"], c["op"]) for c in page["changes"]] == [
        ("measure_response", saved["id"], "upsert")
    ]
    assert page["changes"][0]["data"]["risk_alert"]["status"] == "acknowledged"
