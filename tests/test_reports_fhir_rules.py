"""The FHIR builders (app/reports/fhir_resources.py, fhir_work.py) on hand-made records, pure.

Sources: issue 16 ("FHIR R4 export": answers by linkId, the LOINC codes of the PHQ-9 and
GAD-7 totals, the actual work grade per sick-leave period in a code system of our own, a
CarePlan for the RTW plan's stages); LOINC 44261-6 (PHQ-9 total) and 70274-6 (GAD-7 total);
FHIR R4 Observation (value[x] or dataAbsentReason), CarePlan.activity.detail.status.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from app.reports import fhir_resources as fr
from app.reports.fhir_work import rtw_care_plan, work_grade_observation
from app.work.schemas import PeriodPublic, PlanPublic, StagePublic

BASE = "https://mestring.example.no"
PATIENT = uuid.UUID("00000000-0000-4000-8000-000000000001")
LABELS = {str(v): f"label {v}" for v in range(4)}
PHQ9 = fr.Instrument(
    uuid.UUID("00000000-0000-4000-8000-0000000000a9"),
    "phq9",
    2,
    {
        "title": {"nb": "PHQ-9", "en": "PHQ-9"},
        "scale": {"min": 0, "max": 3, "labels": {"nb": LABELS, "en": LABELS}},
        "items": [{"id": "phq9_1", "text": {"nb": "a", "en": "a"}}]
        + [{"id": f"phq9_{n}", "text": {"nb": "x", "en": "x"}} for n in range(2, 10)],
    },
    current=False,
)


def _answered(score: float, answers: dict[str, int]) -> fr.Answered:
    moment = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    return fr.Answered(uuid.uuid4(), PHQ9.id, moment, answers, score, moment)


def test_a_phq9_response_keeps_the_instruments_item_order_and_never_drops_an_answer() -> None:
    # Answered in another order, plus an id the version does not list (kept, last).
    answers = {f"phq9_{n}": n % 4 for n in (9, 1, 5, 2, 3, 4, 6, 7, 8)} | {"zz_extra": 1}
    response = fr.questionnaire_response(
        _answered(14, answers), PHQ9, patient_ref=fr.ref(PATIENT), locale="en", base_url=BASE
    )
    QuestionnaireResponse.model_validate(response)
    assert [i["linkId"] for i in response["item"]] == [f"phq9_{n}" for n in range(1, 10)] + [
        "zz_extra"
    ]
    first = response["item"][0]["answer"][0]["valueCoding"]
    assert (first["code"], first["display"]) == ("1", "label 1")
    assert first["extension"] == [{"url": fr.ORDINAL_VALUE, "valueDecimal": 1}]
    assert response["questionnaire"] == f"{BASE}/fhir/Questionnaire/phq9|2"


def test_a_phq9_total_is_loinc_44261_6_as_an_integer_effective_when_answered() -> None:
    answered = _answered(14.0, {"phq9_1": 2})
    observation = fr.score_observation(answered, PHQ9, patient_ref=fr.ref(PATIENT), base_url=BASE)
    Observation.model_validate(observation)
    assert observation["code"]["coding"][0]["code"] == "44261-6"
    assert observation["valueInteger"] == 14
    assert "valueQuantity" not in observation
    assert observation["effectiveDateTime"] == "2026-11-16T09:30:00Z"
    assert observation["derivedFrom"] == [{"reference": f"urn:uuid:{answered.id}"}]
    # The same response gives the same observation id in every export.
    again = fr.score_observation(answered, PHQ9, patient_ref=fr.ref(PATIENT), base_url=BASE)
    assert again["id"] == observation["id"] != str(answered.id)


def test_an_older_instrument_version_is_retired() -> None:
    q = fr.questionnaire(PHQ9, locale="nb", base_url=BASE)
    assert (q["status"], q["version"], q["code"][0]["code"]) == ("retired", "2", "44249-1")
    assert len(q["item"][0]["answerOption"]) == 4  # 0..3


def _period(grade: int | None, *, partial: bool, ends_on: date | None) -> PeriodPublic:
    # 50 % sick leave, 30 agreed hours: 10 working days expect 60 h; 33 h worked -> 55 %.
    return PeriodPublic(
        starts_on=date(2026, 11, 2),
        ends_on=ends_on,
        partial=partial,
        sick_leave_percent=50,
        hours_worked=33.0,
        weekdays_in_period=10,
        weekdays_recorded=10,
        days_off=0,
        working_days=10,
        complete=True,
        missing_days=[],
        planned_hours=30.0,
        actual_grade=grade,
        planned_grade=50,
        above_plan=grade is not None and grade > 50,
        sick_leave=[],
    )


def test_the_work_grade_of_a_closed_period_is_final_in_percent_with_its_figures() -> None:
    observation = work_grade_observation(
        _period(55, partial=False, ends_on=date(2026, 11, 13)),
        patient_id=PATIENT,
        patient_ref=fr.ref(PATIENT),
        base_url=BASE,
    )
    Observation.model_validate(observation)
    assert observation["status"] == "final"
    assert observation["valueQuantity"] == {
        "value": 55,
        "unit": "%",
        "system": "http://unitsofmeasure.org",
        "code": "%",
    }
    assert observation["effectivePeriod"] == {"start": "2026-11-02", "end": "2026-11-13"}
    components = {c["code"]["coding"][0]["code"]: c for c in observation["component"]}
    assert components["hours-worked"]["valueQuantity"]["value"] == 33.0
    assert components["planned-work-grade"]["valueQuantity"]["value"] == 50
    assert components["sick-leave-percent"]["valueQuantity"]["value"] == 50
    assert observation["code"]["coding"][0]["system"] == f"{BASE}/fhir/CodeSystem/mestring"


def test_an_open_period_without_working_days_is_preliminary_and_says_why_it_has_no_grade() -> None:
    observation = work_grade_observation(
        _period(None, partial=True, ends_on=None),
        patient_id=PATIENT,
        patient_ref=fr.ref(PATIENT),
        base_url=BASE,
    )
    Observation.model_validate(observation)
    assert observation["status"] == "preliminary"
    assert "valueQuantity" not in observation
    assert observation["dataAbsentReason"]["coding"][0]["code"] == "not-applicable"
    assert observation["effectivePeriod"] == {"start": "2026-11-02"}


def _stage(starts_on: date, ends_on: date | None, percent: int) -> StagePublic:
    return StagePublic(
        starts_on=starts_on,
        ends_on=ends_on,
        sick_leave_percent=percent,
        planned_work_grade=100 - percent,
        planned_weekly_hours=37.5 * (100 - percent) / 100,
        planned_weekly_hours_explicit=False,
        adjustments="Mornings only" if percent == 50 else None,
        review_on=starts_on,
        reviewed_on=None,
    )


def test_the_care_plan_has_one_activity_per_stage_with_its_status_on_the_day() -> None:
    stages = [
        _stage(date(2026, 11, 2), date(2026, 11, 15), 100),
        _stage(date(2026, 11, 16), date(2026, 11, 29), 50),
        _stage(date(2026, 11, 30), None, 0),
    ]
    plan = PlanPublic(
        patient_id=PATIENT,
        version=3,
        agreed_weekly_hours=37.5,
        work_days=["mon", "tue", "wed", "thu", "fri"],
        stages=stages,
        next_review_on=None,
        review_due=False,
        full_return_on=date(2026, 11, 30),
        updated_at=None,
        updated_by=None,
        updated_by_role=None,
    )
    care_plan = rtw_care_plan(
        plan, patient_ref=fr.ref(PATIENT), today=date(2026, 11, 20), base_url=BASE
    )
    assert care_plan is not None
    CarePlan.model_validate(care_plan)
    assert [a["detail"]["status"] for a in care_plan["activity"]] == [
        "completed",
        "in-progress",
        "scheduled",
    ]
    assert care_plan["activity"][1]["detail"]["description"] == (
        "Sick leave 50 %, planned work grade 50 %, 18.75 h a week; adjustments: Mornings only"
    )
    assert (care_plan["status"], care_plan["meta"]["versionId"]) == ("active", "3")
    after = rtw_care_plan(
        plan, patient_ref=fr.ref(PATIENT), today=date(2026, 11, 30), base_url=BASE
    )
    assert after is not None
    assert after["status"] == "completed"
    empty = plan.model_copy(update={"stages": [], "full_return_on": None})
    assert (
        rtw_care_plan(empty, patient_ref=fr.ref(PATIENT), today=date(2026, 11, 20), base_url=BASE)
        is None
    )
