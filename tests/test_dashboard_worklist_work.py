"""The work side on the therapist's worklist (issues 13 and 14): `workplace_conflict`,
`dialogue_meeting_soon`, `status_check_due`, `joint_meeting_due` and the `work_focus` columns.

The SQL registry (app.dashboard.flags) must raise exactly what the set-based reads of the
other domains decide (app.workfocus.queries.workfocus_for_patients and
app.jobsupport.meetings.joint_meetings_due, which the patient detail uses): a hand-built
caseload, one patient per case and boundary, each row equal to the detail's summary.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession

from app.dashboard.schemas import FLAGS
from app.jobsupport.meetings import joint_meetings_due
from app.workfocus.queries import workfocus_for_patients
from tests.checkin_helpers import seed_scores
from tests.dashboard_helpers import NOW
from tests.factories import Actor, Api
from tests.test_dashboard_worklist_sql import _walk
from tests.workfocus_helpers import key, put_barriers, ratings

TODAY = date(2026, 11, 18)


EXPECTED = {
    "Wenche": ["workplace_conflict"],
    "Wilhelm": [],
    "Mona": ["dialogue_meeting_soon"],
    "Mari": [],
    "Siri": ["dialogue_meeting_soon"],
    "Stine": ["status_check_due"],
    "Sverre": [],
    "Jens": ["joint_meeting_due"],
    "Jorunn": [],
    "Jakob": ["joint_meeting_due"],
    "Kjell": ["joint_meeting_due"],
    "Kåre": [],
    "Mette": ["joint_meeting_due"],
}


def _meeting(api: Api, patient: Actor, starts_at: str, check_on: str | None = None) -> None:
    meeting_id = str(uuid.uuid4())
    body = {"id": meeting_id, "starts_at": starts_at, "participants": [{"role": "manager"}]}
    made = api.client.post("/v1/me/dialogue-meetings", json=body, headers=patient.headers | key())
    assert made.status_code == 201, made.text
    if check_on is not None:
        held = api.client.patch(
            f"/v1/me/dialogue-meetings/{meeting_id}",
            json={"outcome": {"next_status_check_on": check_on}},
            headers=patient.headers,
        )
        assert held.status_code == 200, held.text


def _joint(api: Api, therapist: Actor, patient: Actor, held_on: str, **extra: Any) -> None:
    body = {"held_on": held_on, "attended": ["patient", "therapist"], **extra}
    made = api.client.post(
        f"/v1/patients/{patient.id}/joint-meetings", json=body, headers=therapist.headers | key()
    )
    assert made.status_code == 201, made.text


def build(api: Api) -> tuple[Actor, dict[str, Actor]]:
    """One patient per case (all linked today, so no check-in flag), at NOW."""
    therapist, counsellor = api.therapist(), api.counsellor()
    p = {name: api.patient(therapist, name=name) for name in EXPECTED}
    # Wenche: the latest check rates conflict 3 -> workplace_conflict
    assert put_barriers(api, p["Wenche"], "2026-11-11", ratings(0)).status_code == 201
    assert put_barriers(api, p["Wenche"], "2026-11-17", ratings(1, conflict=3)).status_code == 201
    # Wilhelm: harassment 4 a week ago, 2 in the latest check -> nothing
    for day, rating in (("2026-11-11", 4), ("2026-11-18", 2)):
        made = put_barriers(api, p["Wilhelm"], day, ratings(1, harassment=rating))
        assert made.status_code == 201, made.text
    # Mona: a planned meeting in 3 local days (21 Nov, 00:30 in Oslo) -> dialogue_meeting_soon;
    # Mari: in 4 (22 Nov 00:30 Oslo is still the 21st in UTC: the patient's day counts) -> no;
    # Siri: earlier today, still planned -> soon
    _meeting(api, p["Mona"], "2026-11-20T23:30:00Z")
    _meeting(api, p["Mari"], "2026-11-21T23:30:00Z")
    _meeting(api, p["Siri"], "2026-11-18T07:00:00Z")
    # Stine: the status check set by her held meeting is today -> status_check_due;
    # Sverre: his check of the 11th was settled by a later held meeting (next: the 25th)
    _meeting(api, p["Stine"], "2026-11-04T09:00:00Z", check_on="2026-11-18")
    _meeting(api, p["Sverre"], "2026-11-04T09:00:00Z", check_on="2026-11-11")
    _meeting(api, p["Sverre"], "2026-11-11T09:00:00Z", check_on="2026-11-25")
    # Joint meetings (rules.joint_meeting_due: more than 31 days)
    for name, accepted_at in (
        ("Jens", "2026-10-01T10:00:00Z"),  # never met, 48 days -> due
        ("Jorunn", "2026-10-01T10:00:00Z"),  # met 1 Nov, next 1 Dec -> not due
        ("Jakob", "2026-10-01T10:00:00Z"),  # met 10 Oct, next 10 Nov has passed -> due
        # the acceptance's local day counts: 17 Oct in Oslo, 32 days -> due; 18 Oct 00:30 in
        # Oslo (still the 17th in UTC), 31 days -> not yet
        ("Kjell", "2026-10-17T21:30:00Z"),
        ("Kåre", "2026-10-17T22:30:00Z"),
        ("Mette", "2026-10-01T10:00:00Z"),  # met 1 Nov, next booked 3 Dec (32 days) -> due
    ):
        with time_machine.travel(accepted_at, tick=False):
            api.job_support(p[name], counsellor)
    # Jorunn's earlier meeting (its next, 20 October, has passed) is not the latest one
    _joint(api, therapist, p["Jorunn"], "2026-10-05", next_on="2026-10-20")
    _joint(api, therapist, p["Jorunn"], "2026-11-01")
    _joint(api, therapist, p["Jakob"], "2026-10-10", next_on="2026-11-10")
    _joint(api, therapist, p["Mette"], "2026-11-01", next_on="2026-12-03")
    return therapist, p


@time_machine.travel(NOW, tick=False)
def test_work_flags_in_sql_equal_the_domains_reads(api: Api) -> None:
    therapist, p = build(api)
    listed = _walk(api, therapist)
    assert {r["display_name"]: r["flags"] for r in listed} == EXPECTED
    for row in listed:
        detail = api.client.get(f"/v1/patients/{row['patient_id']}", headers=therapist.headers)
        assert detail.status_code == 200, detail.text
        assert detail.json()["summary"] == row, row["display_name"]
    # the domains' own set-based reads decide the same
    today = {actor.id: TODAY for actor in p.values()}

    async def reads(session: AsyncSession) -> tuple[Any, set[uuid.UUID]]:
        work = await workfocus_for_patients(session, today_by_patient=today)
        return work, await joint_meetings_due(session, today_by_patient=today)

    work, due = api.db(reads)
    for name, actor in p.items():
        mine = work[actor.id]
        decided = {
            "workplace_conflict": mine.workplace_conflict,
            "dialogue_meeting_soon": mine.dialogue_meeting_soon,
            "status_check_due": mine.status_check_due,
            "joint_meeting_due": actor.id in due,
        }
        assert [flag for flag in FLAGS if decided.get(flag)] == EXPECTED[name], name
    for flag in ("workplace_conflict", "dialogue_meeting_soon", "status_check_due"):
        only = _walk(api, therapist, flag=flag)
        assert {r["display_name"] for r in only} == {n for n, f in EXPECTED.items() if flag in f}
    columns = {r["display_name"]: r["work_focus"] for r in listed}
    assert columns["Wenche"] == {
        "workplace_rating": 3,
        "barriers_checked_on": "2026-11-17",
        "next_meeting_at": None,
        "status_check_on": None,
        "goals_reached_28d": 0,
        "last_goal_reached_on": None,
    }
    assert columns["Mona"]["next_meeting_at"] == "2026-11-20T23:30:00Z"
    assert columns["Mari"]["next_meeting_at"] is None
    assert (columns["Stine"]["status_check_on"], columns["Sverre"]["status_check_on"]) == (
        "2026-11-18",
        "2026-11-25",
    )


@time_machine.travel(NOW, tick=False)
def test_workplace_conflict_sorts_after_risk_and_above_the_slipping_signals(api: Api) -> None:
    therapist = api.therapist()
    silent = api.patient(therapist, name="Anne")  # silent for 8 days -> no_checkin_7d
    conflict = api.patient(therapist, name="Ola")
    meeting = api.patient(therapist, name="Bo")
    seed_scores(api, silent, {date(2026, 11, 10): 5.0})
    assert put_barriers(api, conflict, "2026-11-18", ratings(0, harassment=3)).status_code == 201
    _meeting(api, meeting, "2026-11-19T09:00:00Z", check_on=None)
    names = [r["display_name"] for r in _walk(api, therapist)]
    assert names == ["Ola", "Anne", "Bo"]
