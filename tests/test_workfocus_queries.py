"""The set-based reads the worklist will call (workplace conflict, meeting soon, status check
due, goals reached in 28 days) in four statements for any caseload, and today's additions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession

from app.workfocus.queries import PatientWorkFocus, workfocus_for_patients
from tests.checkin_helpers import relogin
from tests.dashboard_helpers import counted
from tests.factories import Actor, Api
from tests.workfocus_helpers import NOW, TODAY, key, put_barriers, ratings

DAY = date(2026, 11, 18)


def _meeting(api: Api, patient: Actor, starts_at: str, outcome: dict[str, Any] | None) -> str:
    meeting_id = str(uuid.uuid4())
    body = {"id": meeting_id, "starts_at": starts_at, "participants": [{"role": "gp"}]}
    made = api.client.post("/v1/me/dialogue-meetings", json=body, headers=patient.headers | key())
    assert made.status_code == 201, made.text
    if outcome is not None:
        held = api.client.patch(
            f"/v1/me/dialogue-meetings/{meeting_id}",
            json={"outcome": outcome},
            headers=patient.headers,
        )
        assert held.status_code == 200, held.text
    return meeting_id


def _goal(api: Api, patient: Actor, status: str, steps: list[dict[str, Any]] | None = None) -> Any:
    body = {"id": str(uuid.uuid4()), "title": "A goal", "status": status, "steps": steps or []}
    made = api.client.post("/v1/me/goals", json=body, headers=patient.headers | key())
    assert made.status_code == 201, made.text
    return made.json()


def _read(api: Api, patients: list[Actor]) -> dict[uuid.UUID, PatientWorkFocus]:
    async def work(session: AsyncSession) -> dict[uuid.UUID, PatientWorkFocus]:
        return await workfocus_for_patients(session, today_by_patient={p.id: DAY for p in patients})

    return api.db(work)


def test_the_worklist_reads_for_a_caseload(api: Api) -> None:
    a, b, c, quiet = (api.patient() for _ in range(4))
    for day, when in (
        ("2026-10-21", "2026-10-21T10:00:00Z"),
        ("2026-10-22", "2026-10-22T10:00:00Z"),
    ):
        with time_machine.travel(when, tick=False):
            relogin(api, c)
            _goal(api, c, "reached")
            assert day  # reached on that local day
    with time_machine.travel(NOW, tick=False):
        for who in (a, b, c, quiet):
            relogin(api, who)
        # a: the latest check rates conflict 3 (an older one did not)
        assert put_barriers(api, a, "2026-11-11", ratings(1)).status_code == 201
        assert put_barriers(api, a, TODAY, ratings(1, conflict=3)).status_code == 201
        # b: harassment 4 a week ago, but the latest check rates the workplace 0
        assert put_barriers(api, b, "2026-11-11", ratings(1, harassment=4)).status_code == 201
        assert put_barriers(api, b, TODAY, ratings(0)).status_code == 201
        _meeting(api, a, "2026-11-25T09:00:00Z", None)  # a week away
        _meeting(api, a, "2026-11-20T09:00:00Z", None)  # in two days: soon
        _meeting(api, b, "2026-11-22T09:00:00Z", None)  # in four days: not yet
        _meeting(api, b, "2026-11-04T09:00:00Z", {"next_status_check_on": "2026-11-18"})
        _meeting(api, c, "2026-11-04T09:00:00Z", {"next_status_check_on": "2026-11-11"})
        _meeting(api, c, "2026-11-11T09:00:00Z", {"next_status_check_on": "2026-11-25"})
        _goal(api, c, "reached")  # today
        _goal(api, c, "active")
        with counted(api) as statements:
            found = _read(api, [a, b, c, quiet])
        # the latest barriers check and status check 1, meetings soon 1, goals reached 1
        assert len(statements) == 3

    assert (found[a.id].workplace_rating, found[a.id].workplace_conflict) == (3, True)
    assert (found[b.id].workplace_rating, found[b.id].workplace_conflict) == (0, False)
    assert found[a.id].dialogue_meeting_soon is True
    assert found[a.id].next_meeting_on == date(2026, 11, 20)
    assert found[b.id].dialogue_meeting_soon is False
    assert found[b.id].status_check_due is True  # due today
    # c's status check of the 11th was held on the 11th; the next one is on the 25th
    assert (found[c.id].status_check_on, found[c.id].status_check_due) == (
        date(2026, 11, 25),
        False,
    )
    # reached today and on 22 October (27 days back) count; 21 October (28 days back) does not
    assert (found[c.id].goals_reached, found[c.id].last_goal_reached_on) == (2, DAY)
    q = found[quiet.id]
    assert (q.workplace_conflict, q.dialogue_meeting_soon, q.status_check_due, q.goals_reached) == (
        False,
        False,
        False,
        0,
    )


@time_machine.travel(NOW, tick=False)
def test_today_shows_the_days_meeting_and_the_steps_due(api: Api) -> None:
    patient = api.patient()
    meeting = _meeting(api, patient, "2026-11-18T13:00:00Z", None)
    cancelled = _meeting(api, patient, "2026-11-18T08:00:00Z", None)
    api.client.patch(
        f"/v1/me/dialogue-meetings/{cancelled}",
        json={"status": "cancelled"},
        headers=patient.headers,
    )
    _meeting(api, patient, "2026-11-19T13:00:00Z", None)  # tomorrow
    due = {"id": str(uuid.uuid4()), "text": "Ask for the agenda", "due_on": TODAY, "at_work": True}
    done = {"id": str(uuid.uuid4()), "text": "Done already", "due_on": TODAY, "done": True}
    later = {"id": str(uuid.uuid4()), "text": "Later", "due_on": "2026-11-19"}
    goal = _goal(api, patient, "active", [due, done, later])
    _goal(api, patient, "dropped", [{"id": str(uuid.uuid4()), "text": "x", "due_on": TODAY}])
    today = api.client.get("/v1/me/today", headers=patient.headers).json()
    assert [(m["id"], m["participants"]) for m in today["dialogue_meetings"]] == [(meeting, ["gp"])]
    assert [(s["goal_id"], s["step_id"], s["at_work"]) for s in today["goal_steps_due"]] == [
        (goal["id"], due["id"], True)
    ]
