"""GET /v1/me/export: every record the service holds about one patient, as one document.

The privacy domain owns the export, so it reads the other domains' tables directly, each kind
with one set-based Core statement (no per-row queries). That is the one exception to
DESIGN.md's "domains talk through services" rule: a whole-account export has to see every
table, in the stored form, in one place; it only reads. Columns that are secrets or internal
bookkeeping never leave: password hashes, refresh-token and request-body hashes, idempotency
answers and rate counters are not selected at all.
"""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.models import (
    booster_rule_table,
    follow_up_table,
    rtw_completion_table,
)
from app.core.errors import NotFound
from app.core.time import utcnow
from app.exercises.models import exercise_log_table
from app.measures.models import measure_schedule_table
from app.privacy import export_account as account
from app.privacy import export_care as care
from app.privacy import export_jobsupport as jobsupport
from app.privacy.export_rows import one, own, records
from app.privacy.export_workfocus import WORKFOCUS_TABLES, work_focus
from app.privacy.models import consent_table
from app.privacy.schemas import (
    ExportDocument,
    ExportProfile,
    ExportRtwPlan,
    ExportWorkFocus,
)
from app.work.models import rtw_plan_table, rtw_plan_version_table, work_diary_table

SCHEMA_VERSION: Final = 1
# Where each table that holds rows about a patient shows up: the kind (a key of `counts`, or
# "profile") that carries its rows. tests/test_privacy_coverage.py walks the schema and fails
# for a table about a user that is in neither this map nor NOT_EXPORTED.
EXPORTED_TABLES: Final = {
    "users": "profile",
    "consents": "consents",
    "exercise_assignments": "assignments",
    "assignment_doses": "assignment_doses",
    "exercise_logs": "exercise_logs",
    "checkins": "checkins",
    "booster_requests": "booster_requests",
    "booster_request_events": "booster_request_events",
    "booster_rule_overrides": "booster_rule",
    "follow_ups": "follow_ups",
    "rtw_completions": "rtw_completion",
    "rtw_plans": "rtw_plan",
    "rtw_plan_versions": "rtw_plan_versions",
    "work_diary_entries": "work_diary",
    "measure_schedules": "measure_schedules",
    "measure_responses": "measure_responses",
    "risk_alerts": "risk_alerts",
    "care_links": "care_links",
    "job_support_links": "job_support",
    "employments": "employment",
    "joint_meetings": "joint_meetings",
    "employer_contacts": "employer_contacts",
    "auth_sessions": "sessions",
    "invitations": "invitations",
    "access_log": "access_log",
    "devices": "devices",
    "reminder_settings": "reminder_settings",
    "push_outbox": "pushes",
    **{name: name for name in WORKFOCUS_TABLES},
}
# Tables that refer to a user but hold nothing of a patient's to hand over, and why.
NOT_EXPORTED: Final = {
    "refresh_tokens": "token material (hashes); the sessions they belong to are exported",
    "mfa_factors": "second factors are for staff only; a patient never has one",
    "mfa_recovery_codes": "second factors are for staff only; a patient never has one",
    "sent_reminders": "the once-a-day claim of each reminder; every reminder is exported, with "
    "its kind, thing and local date, from push_outbox (as `pushes`)",
}


async def _profile(session: AsyncSession, patient_id: uuid.UUID) -> ExportProfile:
    u = user_table.c
    row = (
        await session.execute(
            select(u.id, u.email, u.role, u.display_name, u.timezone, u.locale, u.created_at).where(
                u.id == patient_id
            )
        )
    ).first()
    if row is None:  # erased between authentication and now
        raise NotFound("User not found.", code="user_not_found")
    return ExportProfile.model_validate(row, from_attributes=True)


async def export_patient(
    session: AsyncSession, *, patient_id: uuid.UUID, session_max_days: int
) -> ExportDocument:
    """The whole account as one document, with the number of stored rows of every kind."""
    exported_at = utcnow()
    profile = await _profile(session, patient_id)
    consents = await records(
        session, own(consent_table, patient_id, consent_table.c.created_at, consent_table.c.id)
    )
    assignments, dose_count = await care.assignments(session, patient_id)
    logs = await records(
        session,
        own(
            exercise_log_table,
            patient_id,
            exercise_log_table.c.started_at,
            exercise_log_table.c.id,
        ),
    )
    checkins = await care.checkins(session, patient_id)
    requests, event_count = await care.booster_requests(session, patient_id)
    rule = await one(session, booster_rule_table, patient_id)
    follow_ups = await records(
        session,
        own(follow_up_table, patient_id, follow_up_table.c.due_on, follow_up_table.c.id),
    )
    completion = await one(session, rtw_completion_table, patient_id)
    plan = await one(session, rtw_plan_table, patient_id)
    versions = await records(
        session, own(rtw_plan_version_table, patient_id, rtw_plan_version_table.c.version)
    )
    diary = await records(session, own(work_diary_table, patient_id, work_diary_table.c.local_date))
    schedules = await records(
        session,
        own(measure_schedule_table, patient_id, measure_schedule_table.c.measure),
    )
    responses = await care.measure_responses(session, patient_id)
    alerts = await care.risk_alerts(session, patient_id)
    links = await account.care_links(session, patient_id)
    job_support = await jobsupport.job_support(session, patient_id)
    jobs = await jobsupport.employment(session, patient_id)
    meetings = await jobsupport.joint_meetings(session, patient_id)
    contacts = await jobsupport.employer_contacts(session, patient_id)
    logins = await account.sessions(session, patient_id, max_days=session_max_days)
    invited = await account.invitations(session, patient_id, profile.email)
    access = await account.access_log(session, patient_id)
    push_devices = await account.devices(session, patient_id)
    reminder_prefs = await account.reminder_settings(session, patient_id)
    pushes = await account.pushes(session, patient_id)
    work = await work_focus(session, patient_id)
    counts = {
        "consents": len(consents),
        "assignments": len(assignments),
        "assignment_doses": dose_count,
        "exercise_logs": len(logs),
        "checkins": len(checkins),
        "booster_requests": len(requests),
        "booster_request_events": event_count,
        "booster_rule": int(rule is not None),
        "follow_ups": len(follow_ups),
        "rtw_completion": int(completion is not None),
        "rtw_plan": int(plan is not None),
        "rtw_plan_versions": len(versions),
        "work_diary": len(diary),
        "measure_schedules": len(schedules),
        "measure_responses": len(responses),
        "risk_alerts": len(alerts),
        "care_links": len(links),
        "job_support": len(job_support),
        "employment": len(jobs),
        "joint_meetings": len(meetings),
        "employer_contacts": len(contacts),
        "sessions": len(logins),
        "invitations": len(invited),
        "access_log": len(access),
        "devices": len(push_devices),
        "reminder_settings": len(reminder_prefs),
        "pushes": len(pushes),
        **{name: len(rows) for name, rows in work.items()},
    }
    return ExportDocument(
        schema_version=SCHEMA_VERSION,
        exported_at=exported_at,
        profile=profile,
        consents=consents,
        assignments=assignments,
        exercise_logs=logs,
        checkins=checkins,
        booster_requests=requests,
        booster_rule=rule,
        follow_ups=follow_ups,
        rtw_completion=completion,
        rtw_plan=ExportRtwPlan(current=plan, versions=versions),
        work_diary=diary,
        measure_schedules=schedules,
        measure_responses=responses,
        risk_alerts=alerts,
        care_links=links,
        job_support=job_support,
        employment=jobs,
        joint_meetings=meetings,
        employer_contacts=contacts,
        sessions=logins,
        invitations=invited,
        access_log=access,
        devices=push_devices,
        reminder_settings=reminder_prefs,
        pushes=pushes,
        work_focus=ExportWorkFocus.model_validate(work),
        counts=counts,
    )
