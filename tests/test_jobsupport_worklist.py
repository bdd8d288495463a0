"""GET /v1/job-support/patients: the counsellor's worklist, and every read in it logged."""

from __future__ import annotations

from typing import Any

import time_machine

from tests.factories import Api
from tests.jobsupport_helpers import access_log, key

NOW = "2026-12-02T10:00:00Z"  # Wednesday; last complete ISO week: Mon 23 - Sun 29 Nov
PLAN: dict[str, Any] = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 50}]}


@time_machine.travel(NOW, tick=False)
def test_the_worklist_shows_each_accepted_patient_with_flags(api: Api) -> None:
    therapist, counsellor, colleague = api.therapist(), api.counsellor(), api.counsellor()
    anna = api.patient(therapist, name="Anna Arbeid")
    bo = api.patient(therapist, name="Bo Borte")
    gone, someone_elses = api.patient(therapist), api.patient(therapist)
    with time_machine.travel("2026-10-01T10:00:00Z", tick=False):
        api.job_support(bo, counsellor)  # accepted two months ago, never a joint meeting
    api.job_support(anna, counsellor)
    api.job_support(gone, counsellor, status="ended")
    api.job_support(someone_elses, colleague)
    # Anna: 50 % sick leave, 2 h a day last week: 10 h of 37.5 h planned at 50 % is grade 27.
    assert api.client.put("/v1/me/rtw-plan", json=PLAN, headers=anna.headers).status_code == 200
    for day in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"):
        entry = api.client.put(
            f"/v1/me/work-diary/{day}", json={"worked_hours": 2}, headers=anna.headers
        )
        assert entry.status_code == 201, entry.text
    job = {"employer": "Fjord Bakeri", "starts_on": "2026-11-02", "kind": "same_employer"}
    made = api.client.post("/v1/me/employment", json=job, headers=anna.headers | key())
    assert made.status_code == 201, made.text

    response = api.client.get("/v1/job-support/patients", headers=counsellor.headers)
    assert response.status_code == 200, response.text
    rows = {row["display_name"]: row for row in response.json()["data"]}
    assert list(rows) == ["Anna Arbeid", "Bo Borte"]
    a, b = rows["Anna Arbeid"], rows["Bo Borte"]
    assert a["work_week"]["week"] == "2026-W48"
    assert (a["work_week"]["actual_grade"], a["work_week"]["planned_grade"]) == (27, 50)
    assert a["last_diary_on"] == "2026-11-27"
    assert a["employment"]["employer"] == "Fjord Bakeri"
    assert a["flags"] == ["grade_below_plan"]
    assert b["flags"] == ["no_diary_7d", "joint_meeting_due"]
    # Each patient shown gets a row in their access log, with the counsellor's role.
    for patient in (anna, bo):
        logged = access_log(api, patient)[0]
        assert (logged["reader_role"], logged["reason"], logged["kind"]) == (
            "job_counsellor",
            "job_support",
            "job-support-worklist",
        )
    assert all(e["reader_id"] != str(counsellor.id) for e in access_log(api, gone))
    empty = api.client.get("/v1/job-support/patients", headers=api.counsellor().headers)
    assert empty.json() == {"data": [], "count": 0, "next_cursor": None}
