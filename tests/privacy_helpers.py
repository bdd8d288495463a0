"""A patient with every kind of record, made through the HTTP API, for export and erasure tests.

Call inside `time_machine.travel(NOW, tick=False)`: local dates and token lifetimes depend on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role
from app.auth.models import auth_session_table
from app.boosters.models import (
    booster_event_table,
    booster_request_table,
    booster_rule_table,
    follow_up_table,
    rtw_completion_table,
)
from app.care.models import care_link_table, invitation_table
from app.checkins.models import checkin_table
from app.devices.models import device_table
from app.devices.vapid import b64url, public_point
from app.exercises.models import assignment_table, dose_table, exercise_log_table
from app.jobsupport.models import (
    employer_contact_table,
    employment_table,
    job_support_link_table,
    joint_meeting_table,
)
from app.measures.models import measure_response_table, measure_schedule_table, risk_alert_table
from app.privacy.export_workfocus import WORKFOCUS_TABLES
from app.privacy.models import access_log_table, consent_table
from app.reminders.models import push_outbox_table, reminder_settings_table
from app.work.models import rtw_plan_table, rtw_plan_version_table, work_diary_table
from tests.checkin_helpers import answers
from tests.factories import PASSWORD, Actor, Api
from tests.measure_helpers import body as measure_body
from tests.workfocus_helpers import ratings as barrier_ratings

NOW = "2026-11-16T10:00:00Z"  # Monday; 11:00 in Oslo
LATER = "2026-11-16T10:00:01Z"
TODAY, YESTERDAY, WEEK_AGO = "2026-11-16", "2026-11-15", "2026-11-09"
PLAN: dict[str, Any] = {
    "stages": [
        {"starts_on": "2026-11-02", "sick_leave_percent": 100},
        {"starts_on": "2026-11-16", "sick_leave_percent": 50},
    ]
}


def _ok(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200, 201)), response.text
    body: dict[str, Any] = response.json() if response.content else {}
    return body


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def register(api: Api, therapist: Actor, name: str) -> Actor:
    """A patient who registers with the therapist's invitation, both with Idempotency-Keys."""
    email = f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:8]}@home.example.com"
    invitation = _ok(
        api.client.post(
            "/v1/invitations", json={"email": email}, headers=therapist.headers | _key()
        )
    )
    _ok(
        api.client.post(
            "/v1/auth/register",
            json={
                "invitation_code": invitation["code"],
                "email": email,
                "password": PASSWORD,
                "display_name": name,
                "timezone": "Europe/Oslo",
            },
            headers=_key(),
        ),
        202,
    )
    tokens = api.login(email, PASSWORD)
    me = _ok(
        api.client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    )
    return Actor(
        uuid.UUID(me["id"]),
        email,
        PASSWORD,
        Role.patient,
        tokens["access_token"],
        tokens["refresh_token"],
    )


def seed_everything(api: Api, therapist: Actor, patient: Actor) -> None:
    """At least one row of every kind the export lists, and a second row of most."""
    client, mine, theirs = api.client, patient.headers, therapist.headers
    base = f"/v1/patients/{patient.id}"
    assignment = _ok(
        client.post(
            f"{base}/assignments",
            json={"exercise_kind": "attention_training", "times_per_day": 2, "starts_on": WEEK_AGO},
            headers=theirs | _key(),
        )
    )
    _ok(
        client.patch(
            f"/v1/assignments/{assignment['id']}", json={"times_per_day": 1}, headers=theirs
        )
    )
    for started in ("2026-11-16T08:30:00Z", "2026-11-16T09:30:00Z"):
        _ok(
            client.post(
                "/v1/me/exercise-logs",
                json={
                    "id": str(uuid.uuid4()),
                    "exercise_kind": "attention_training",
                    "assignment_id": assignment["id"],
                    "started_at": started,
                    "duration_seconds": 720,
                    "phases_completed": ["selective", "switching", "divided"],
                    "self_focus_before": 2,
                    "self_focus_after": 0,
                },
                headers=mine | _key(),
            )
        )
    for day, value in ((YESTERDAY, 4), (TODAY, 5)):
        _ok(client.put(f"/v1/me/checkins/{day}", json={"answers": answers(value)}, headers=mine))
    request = _ok(
        client.post(
            "/v1/me/booster-requests", json={"reason": "A hard week"}, headers=mine | _key()
        )
    )
    _ok(
        client.patch(
            f"/v1/booster-requests/{request['id']}",
            json={"status": "scheduled", "scheduled_for": "2026-11-20T09:00:00Z"},
            headers=theirs,
        )
    )
    rule = {
        "window_days": 7,
        "min_checkins": 3,
        "low_threshold": 3.5,
        "drop_threshold": 1.0,
        "cooldown_days": 14,
        "enabled": True,
    }
    _ok(client.put(f"{base}/booster-rule", json=rule, headers=theirs))
    _ok(client.put("/v1/me/rtw-plan", json=PLAN, headers=mine))
    second = {"stages": [*PLAN["stages"], {"starts_on": "2026-11-30", "sick_leave_percent": 20}]}
    _ok(client.put("/v1/me/rtw-plan", json=second, headers=mine))
    _ok(client.put(f"{base}/rtw-completion", json={"rtw_completed_on": TODAY}, headers=theirs))
    for day, hours in ((YESTERDAY, 3), (TODAY, 4)):
        _ok(client.put(f"/v1/me/work-diary/{day}", json={"worked_hours": hours}, headers=mine))
    for value in (True, False):
        _ok(client.put("/v1/me/consents", json={"employer_contact": value}, headers=mine))
    schedule = {"schedules": [{"measure": "phq9", "every_days": 14, "starts_on": WEEK_AGO}]}
    _ok(client.put(f"{base}/measure-schedule", json=schedule, headers=theirs))
    _ok(
        client.post(
            "/v1/me/measures/gad7/responses",
            json=measure_body("gad7", 7, NOW),
            headers=mine | _key(),
        )
    )
    flagged = _ok(
        client.post(
            "/v1/me/measures/phq9/responses",
            json=measure_body("phq9", 13, NOW, item9=1),
            headers=mine | _key(),
        )
    )
    _ok(
        client.post(
            f"/v1/risk-alerts/{flagged['risk_alert']['id']}/acknowledge",
            json={"action_taken": "called_patient", "note": "Therapist's own words"},
            headers=theirs,
        )
    )
    seed_work_focus(api, therapist, patient)
    _ok(client.get(base, headers=theirs))  # one access-log row
    for answer in ("decline", "accept"):  # a declined proposal, then an accepted counsellor
        counsellor = api.counsellor()
        link = _ok(
            client.post(
                f"{base}/job-support",
                json={"counsellor_id": str(counsellor.id)},
                headers=theirs | _key(),
            )
        )
        _ok(client.post(f"/v1/me/job-support/{link['id']}/{answer}", headers=mine))
    _ok(client.get(f"{base}/work-diary", headers=counsellor.headers))  # the counsellor's read
    for kind, starts in (("same_employer", "2026-09-01"), ("new_employer", YESTERDAY)):
        job = {"employer": "Fjord Bakeri", "starts_on": starts, "kind": kind}
        _ok(client.post(f"{base}/employment", json=job, headers=counsellor.headers | _key()))
    meeting = {"held_on": WEEK_AGO, "attended": ["patient", "therapist", "counsellor"]}
    _ok(client.post(f"{base}/joint-meetings", json=meeting, headers=theirs | _key()))
    contact = {
        "contacted_on": TODAY,
        "person": "Mona Leder",
        "channel": "phone",
        "purpose": "adjustments",
        "shared": "Agreed adjusted tasks for two weeks.",
    }
    # A second later, so this consent is the newest (the clock stands still otherwise).
    with time_machine.travel(LATER, tick=False):
        scope = {"employer_contact": True, "employer_contact_purposes": ["adjustments"]}
        _ok(client.put("/v1/me/consents", json=scope, headers=mine))
        _ok(
            client.post(
                f"{base}/employer-contacts", json=contact, headers=counsellor.headers | _key()
            )
        )


def seed_work_focus(api: Api, therapist: Actor, patient: Actor) -> None:
    """Work-focused therapy rows: barriers checks, the communication plan and a suggestion."""
    client, mine = api.client, patient.headers
    for day, value in ((WEEK_AGO, 3), (TODAY, 1)):
        _ok(
            client.put(
                f"/v1/me/barriers/{day}", json={"answers": barrier_ratings(value)}, headers=mine
            )
        )
    entry = {"audience": "manager", "what": "That I am on leave", "how_much": "on_sick_leave"}
    _ok(client.put("/v1/me/communication-plan", json={"entries": [entry]}, headers=mine))
    suggestion = _ok(
        client.post(
            f"/v1/patients/{patient.id}/communication-plan/suggestions",
            json={"audience": "gp", "text": "Tell the GP about the plan"},
            headers=therapist.headers | _key(),
        )
    )
    _ok(
        client.post(
            f"/v1/me/communication-plan/suggestions/{suggestion['id']}/accept", headers=mine
        )
    )
    held = {
        "id": str(uuid.uuid4()),
        "starts_at": NOW,
        "participants": [{"role": "manager"}],
    }
    _ok(client.post("/v1/me/dialogue-meetings", json=held, headers=mine | _key()))
    _ok(
        client.patch(
            f"/v1/me/dialogue-meetings/{held['id']}",
            json={"outcome": {"tasks": "Mornings", "next_status_check_on": TODAY}},
            headers=mine,
        )
    )
    step = {"id": str(uuid.uuid4()), "text": "Ask for the agenda", "due_on": TODAY}
    work_goal = {"id": str(uuid.uuid4()), "title": "Join the Monday meeting", "steps": [step]}
    _ok(client.post("/v1/me/goals", json=work_goal, headers=mine | _key()))
    # Push devices (issue 17): a browser and a phone.
    for device in (web_device(), {"platform": "android", "push": {"token": uuid.uuid4().hex}}):
        _ok(client.post("/v1/me/devices", json={"id": str(uuid.uuid4()), **device}, headers=mine))
    # Reminder preferences (issue 17).
    reminders = {"checkin_at": "19:00", "therapist_messages": True}
    _ok(client.put("/v1/me/reminders", json=reminders, headers=mine))


def web_device() -> dict[str, Any]:
    """A Web Push device body with a fresh subscription on a known push service."""
    key = ec.generate_private_key(ec.SECP256R1())
    return {
        "platform": "web",
        "label": "Firefox",
        "push": {
            "endpoint": f"https://updates.push.services.mozilla.com/wpush/v2/{uuid.uuid4().hex}",
            "keys": {"p256dh": b64url(public_point(key.public_key())), "auth": b64url(b"A" * 16)},
        },
    }


def _patient_rows(table: Table, patient_id: uuid.UUID) -> Any:
    return select(func.count()).select_from(table).where(table.c.patient_id == patient_id)


def _child_rows(child: Table, link: str, parent: Table, patient_id: uuid.UUID) -> Any:
    return (
        select(func.count())
        .select_from(child)
        .join(parent, parent.c.id == child.c[link])
        .where(parent.c.patient_id == patient_id)
    )


KIND_QUERIES: dict[str, Callable[[uuid.UUID], Any]] = {
    "consents": lambda p: _patient_rows(consent_table, p),
    "assignments": lambda p: _patient_rows(assignment_table, p),
    "assignment_doses": lambda p: _child_rows(dose_table, "assignment_id", assignment_table, p),
    "exercise_logs": lambda p: _patient_rows(exercise_log_table, p),
    "checkins": lambda p: _patient_rows(checkin_table, p),
    "booster_requests": lambda p: _patient_rows(booster_request_table, p),
    "booster_request_events": lambda p: _child_rows(
        booster_event_table, "request_id", booster_request_table, p
    ),
    "booster_rule": lambda p: _patient_rows(booster_rule_table, p),
    "follow_ups": lambda p: _patient_rows(follow_up_table, p),
    "rtw_completion": lambda p: _patient_rows(rtw_completion_table, p),
    "rtw_plan": lambda p: _patient_rows(rtw_plan_table, p),
    "rtw_plan_versions": lambda p: _patient_rows(rtw_plan_version_table, p),
    "work_diary": lambda p: _patient_rows(work_diary_table, p),
    "measure_schedules": lambda p: _patient_rows(measure_schedule_table, p),
    "measure_responses": lambda p: _patient_rows(measure_response_table, p),
    "risk_alerts": lambda p: _patient_rows(risk_alert_table, p),
    "care_links": lambda p: _patient_rows(care_link_table, p),
    "job_support": lambda p: _patient_rows(job_support_link_table, p),
    "employment": lambda p: _patient_rows(employment_table, p),
    "joint_meetings": lambda p: _patient_rows(joint_meeting_table, p),
    "employer_contacts": lambda p: _patient_rows(employer_contact_table, p),
    "sessions": lambda p: (
        select(func.count())
        .select_from(auth_session_table)
        .where(auth_session_table.c.user_id == p)
    ),
    "invitations": lambda p: (
        select(func.count()).select_from(invitation_table).where(invitation_table.c.used_by == p)
    ),
    "access_log": lambda p: _patient_rows(access_log_table, p),
    "devices": lambda p: _patient_rows(device_table, p),
    "reminder_settings": lambda p: _patient_rows(reminder_settings_table, p),
    "pushes": lambda p: _patient_rows(push_outbox_table, p),
    **{name: partial(_patient_rows, table) for name, (table, _order) in WORKFOCUS_TABLES.items()},
}


def sql_counts(api: Api, patient_id: uuid.UUID) -> dict[str, int]:
    """Rows per export kind, counted straight from the tables."""

    async def work(session: AsyncSession) -> dict[str, int]:
        return {
            kind: int(await session.scalar(query(patient_id)) or 0)
            for kind, query in KIND_QUERIES.items()
        }

    return api.db(work)
