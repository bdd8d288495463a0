"""Set-based reads of measures for many patients at once, in a fixed number of statements.

`due_measures` feeds the patient's today (one statement); `measures_for_patients` is what the
therapist's worklist will call (three statements for any number of patients and any length of
history): unacknowledged and overdue risk alerts, due and overdue measures, and per measure the
latest response with its change from the first. docs/notes/issue-15.md says how the worklist
uses them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, get_args

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.core.among import DIALECTS, among_bound, dialect_of
from app.instruments.profiles import MeasureKey
from app.measures.models import measure_response_table, measure_schedule_table, risk_alert_table
from app.measures.schemas import MeasureDue
from app.measures.windows import due_status

_s = measure_schedule_table.c
_r = measure_response_table.c
_ra = risk_alert_table.c
_u = user_table.c


def _due(patients: ColumnElement[bool]) -> Select[Any]:
    last_on = (
        select(func.max(_r.local_date))
        .where(_r.patient_id == _s.patient_id, _r.measure == _s.measure)
        .scalar_subquery()
    )
    return (
        select(_s.patient_id, _s.measure, _s.every_days, _s.starts_on, last_on.label("last_on"))
        .where(patients)
        .order_by(_s.patient_id, _s.measure)
    )


# Built once, for one patient ("today") and for many (a bound list).
_DUE_ONE = _due(_s.patient_id == bindparam("patient_id", type_=_s.patient_id.type))
_DUE_MANY = {d: _due(among_bound(_s.patient_id, "patient_ids", d)) for d in DIALECTS}


async def due_measures(
    session: AsyncSession, *, today_by_patient: Mapping[uuid.UUID, date]
) -> dict[uuid.UUID, list[MeasureDue]]:
    """Per patient, the scheduled measures whose current occurrence is open (one statement).

    `today_by_patient` maps each patient to their local today (dates differ by time zone).
    """
    due: dict[uuid.UUID, list[MeasureDue]] = {pid: [] for pid in today_by_patient}
    if not today_by_patient:
        return due
    ids = list(today_by_patient)
    if len(ids) == 1:
        rows = await session.execute(_DUE_ONE, {"patient_id": ids[0]})
    else:
        rows = await session.execute(_DUE_MANY[dialect_of(session)], {"patient_ids": ids})
    for row in rows.all():
        entry = _due_entry(
            row.measure,
            row.every_days,
            row.starts_on,
            row.last_on,
            today_by_patient[row.patient_id],
        )
        if entry is not None:
            due[row.patient_id].append(entry)
    return due


def _due_entry(
    measure: str, every_days: int, starts_on: date, last_on: date | None, today: date
) -> MeasureDue | None:
    found = due_status(
        starts_on=starts_on, every_days=every_days, today=today, last_answered_on=last_on
    )
    if found is None:
        return None
    occurrence, status = found
    return MeasureDue(
        measure=measure,  # type: ignore[arg-type]
        due_on=occurrence.due_on,
        answer_by=occurrence.answer_by,
        status=status,
        every_days=every_days,
    )


def due_columns(patient: Any) -> list[Any]:
    """Per measure, columns `<measure>_every_days` and `<measure>_starts_on` (the patient's
    schedule of it, NULL when none) and `<measure>_last_on` (the latest answered local date):
    what `due_measures` reads as rows, as index probes on a patient id column (`patient`)."""
    columns = []
    for measure in sorted(MEASURES):  # `due_measures` orders by measure
        mine = (_s.patient_id == patient) & (_s.measure == measure)
        schedule = select(_s.every_days).where(mine)
        columns += [
            schedule.scalar_subquery().label(f"{measure}_every_days"),
            schedule.with_only_columns(_s.starts_on)
            .scalar_subquery()
            .label(f"{measure}_starts_on"),
            select(func.max(_r.local_date))
            .where(_r.patient_id == patient, _r.measure == measure)
            .scalar_subquery()
            .label(f"{measure}_last_on"),
        ]
    return columns


def due_of(row: Any, today: date) -> list[MeasureDue]:
    """A row's `due_columns`: the same list `due_measures` gives for the patient."""
    due = []
    for measure in sorted(MEASURES):
        every_days = getattr(row, f"{measure}_every_days")
        if every_days is None:
            continue
        entry = _due_entry(
            measure,
            every_days,
            getattr(row, f"{measure}_starts_on"),
            getattr(row, f"{measure}_last_on"),
            today,
        )
        if entry is not None:
            due.append(entry)
    return due


@dataclass(frozen=True, slots=True)
class LatestMeasure:
    """A patient's latest response to one measure, against their first."""

    measure: str
    score: float
    band: str | None
    answered_at: datetime
    first_score: float
    change_from_first: float
    questionnaire_id: uuid.UUID  # its version says whether the wording was illustrative


@dataclass(frozen=True, slots=True)
class PatientMeasures:
    """What the worklist needs to know about one patient's measures and risk alerts."""

    unacknowledged_alerts: int = 0
    overdue_alerts: int = 0
    oldest_unacknowledged_at: datetime | None = None
    due: tuple[MeasureDue, ...] = ()
    latest: dict[str, LatestMeasure] = field(default_factory=dict)

    @property
    def risk(self) -> bool:
        """An alert no therapist has acknowledged yet: the worklist's top flag."""
        return self.unacknowledged_alerts > 0

    @property
    def measure_overdue(self) -> bool:
        """A scheduled measure whose answer window passed without an answer."""
        return any(item.status == "overdue" for item in self.due)


def alert_columns(patient: Any, overdue_before: Any) -> list[Any]:
    """Columns `alerts_open`, `alerts_overdue` (opened before `overdue_before`) and
    `alerts_oldest`: the patient's unacknowledged risk alerts (`patient`, a patient id column
    of the outer statement)."""
    open_alert = (_ra.patient_id == patient) & _ra.acknowledged_at.is_(None)
    return [
        select(func.count()).where(open_alert).scalar_subquery().label("alerts_open"),
        select(func.count())
        .where(open_alert, _ra.created_at < overdue_before)
        .scalar_subquery()
        .label("alerts_overdue"),
        select(func.min(_ra.created_at)).where(open_alert).scalar_subquery().label("alerts_oldest"),
    ]


# Built once per dialect: one row per patient.
_ALERTS_MANY = {
    d: select(
        _u.id, *alert_columns(_u.id, bindparam("overdue_before", type_=_ra.created_at.type))
    ).where(among_bound(_u.id, "patient_ids", d))
    for d in DIALECTS
}
Alerts = tuple[int, int, datetime | None]  # unacknowledged, overdue, oldest opened


def alerts_of(row: Any) -> Alerts:
    """A row's `alert_columns` as (unacknowledged, overdue, oldest)."""
    return int(row.alerts_open), int(row.alerts_overdue), row.alerts_oldest


async def _alert_counts(
    session: AsyncSession, ids: list[uuid.UUID], overdue_before: datetime
) -> dict[uuid.UUID, Alerts]:
    rows = await session.execute(
        _ALERTS_MANY[dialect_of(session)], {"patient_ids": ids, "overdue_before": overdue_before}
    )
    return {row.id: alerts_of(row) for row in rows.all()}


MEASURES: tuple[str, ...] = get_args(MeasureKey)


def response_columns(patient: Any, measure: str) -> list[Any]:
    """Columns `<measure>_score`, `_band`, `_answered_at`, `_version` (the patient's latest
    response to `measure`, by answer time then id) and `<measure>_first` (the first response's
    score): index probes on (patient, measure, answered_at) instead of ranking the history."""
    mine = (_r.patient_id == patient) & (_r.measure == measure)
    newest = select(_r.score).where(mine).order_by(_r.answered_at.desc(), _r.id.desc()).limit(1)
    oldest = select(_r.score).where(mine).order_by(_r.answered_at, _r.id).limit(1)
    fields = {"score": _r.score, "band": _r.band, "answered_at": _r.answered_at}
    return [
        *[
            newest.with_only_columns(column).scalar_subquery().label(f"{measure}_{name}")
            for name, column in {**fields, "version": _r.questionnaire_id}.items()
        ],
        oldest.scalar_subquery().label(f"{measure}_first"),
    ]


def responses_of(row: Any) -> dict[str, LatestMeasure]:
    """A row's `response_columns` for every measure: the latest response of each measure the
    patient answered, against their first."""
    found = {}
    for measure in MEASURES:
        score = getattr(row, f"{measure}_score")
        if score is None:
            continue
        first = getattr(row, f"{measure}_first")
        found[measure] = LatestMeasure(
            measure=measure,
            score=score,
            band=getattr(row, f"{measure}_band"),
            answered_at=getattr(row, f"{measure}_answered_at"),
            first_score=first,
            change_from_first=round(score - first, 6),
            questionnaire_id=getattr(row, f"{measure}_version"),
        )
    return found


_LATEST_MANY = {
    d: select(
        _u.id, *[column for measure in MEASURES for column in response_columns(_u.id, measure)]
    ).where(among_bound(_u.id, "patient_ids", d))
    for d in DIALECTS
}


async def _first_and_latest(
    session: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, LatestMeasure]]:
    rows = await session.execute(_LATEST_MANY[dialect_of(session)], {"patient_ids": ids})
    result: dict[uuid.UUID, dict[str, LatestMeasure]] = {pid: {} for pid in ids}
    result.update({row.id: responses_of(row) for row in rows.all()})
    return result


async def measures_for_patients(
    session: AsyncSession,
    *,
    today_by_patient: Mapping[uuid.UUID, date],
    overdue_before: datetime,
    alerts: Mapping[uuid.UUID, Alerts] | None = None,
    latest: Mapping[uuid.UUID, dict[str, LatestMeasure]] | None = None,
) -> dict[uuid.UUID, PatientMeasures]:
    """For many patients in three statements: risk alerts (unacknowledged; overdue when opened
    before `overdue_before`), due and overdue measures, latest response per measure. In one
    when the caller read the alerts and the latest responses already (`alerts` from
    `alert_columns`, `latest` from `response_columns`)."""
    ids = list(today_by_patient)
    if not ids:
        return {}
    if alerts is None:
        alerts = await _alert_counts(session, ids, overdue_before)
    due = await due_measures(session, today_by_patient=today_by_patient)
    if latest is None:
        latest = await _first_and_latest(session, ids)
    summaries = {}
    for pid in ids:
        total, overdue, oldest = alerts.get(pid, (0, 0, None))
        summaries[pid] = PatientMeasures(
            unacknowledged_alerts=total,
            overdue_alerts=overdue,
            oldest_unacknowledged_at=oldest,
            due=tuple(due[pid]),
            latest=latest[pid],
        )
    return summaries
