"""Loading the booster rule's inputs, running it after a check-in, and per-patient parameters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.models import booster_request_table, booster_rule_table
from app.boosters.queries import ACTIVE
from app.boosters.requests import insert_open_request
from app.boosters.rule import RuleOutcome, RuleParams, evaluate
from app.boosters.schemas import BoosterRequestPublic, BoosterRuleParams, BoosterRulePublic
from app.care.access import PatientScope
from app.checkins.models import checkin_table
from app.core import rawsql
from app.core.among import among
from app.core.config import Settings
from app.core.db import dialect_insert
from app.core.sqldays import days_before
from app.core.time import to_local_date, utcnow

_r = booster_request_table.c
_o = booster_rule_table.c
_c = checkin_table.c
_u = user_table.c
BASELINE_CHECKINS = 7
_PARAM_FIELDS = tuple(RuleParams.__dataclass_fields__)


def default_params(settings: Settings) -> RuleParams:
    """The clinic-wide defaults (MESTRING_BOOSTER_* settings)."""
    return RuleParams(
        window_days=settings.booster_window_days,
        min_checkins=settings.booster_min_checkins,
        low_threshold=settings.booster_low_threshold,
        drop_threshold=settings.booster_drop_threshold,
        cooldown_days=settings.booster_cooldown_days,
        enabled=settings.booster_enabled,
    )


def _bound(name: str, type_: Any) -> BindParameter[Any]:
    return bindparam(name, type_=type_)


_PATIENT = _bound("patient_id", _c.patient_id.type)
_TODAY = _bound("today", Date())
# The parameters in force: the override row when the patient has one, else the defaults.
_WINDOW_DAYS = func.coalesce(_o.window_days, _bound("default_window_days", Integer()))
_ENABLED = case((_o.window_days.is_(None), _bound("default_enabled", Boolean())), else_=_o.enabled)
_FIRST = (
    select(_c.score)
    .where(
        _c.patient_id == _PATIENT,
        _c.questionnaire_id == _bound("questionnaire_id", _c.questionnaire_id.type),
    )
    .order_by(_c.local_date)
    .limit(BASELINE_CHECKINS)
    .subquery()
)
_window = checkin_table.alias("window_checkins")
# Built once: the rule's context (override, baseline, active request, last resolution) and,
# joined to it, the scores of the window in force (none when the rule is disabled): one row
# per score, or one row of NULL scores. The scalar subqueries do not depend on the row, so
# each database evaluates them once.
_CONTEXT = (
    select(
        *[_o[name] for name in _PARAM_FIELDS],
        select(func.avg(_FIRST.c.score)).scalar_subquery().label("baseline"),
        select(func.count()).select_from(_FIRST).scalar_subquery().label("baseline_n"),
        select(_r.id)
        # The states as plain parameters: an expanding IN list would be rewritten into the SQL
        # text on every execution.
        .where(
            _r.patient_id == _PATIENT, _r.status.in_([literal(s, _r.status.type) for s in ACTIVE])
        )
        .limit(1)
        .scalar_subquery()
        .label("active_id"),
        select(func.max(_r.resolved_at))
        .where(_r.patient_id == _PATIENT)
        .scalar_subquery()
        .label("last_resolved_at"),
        _window.c.local_date.label("scored_on"),
        _window.c.score.label("scored"),
    )
    .select_from(
        user_table.outerjoin(booster_rule_table, _o.patient_id == _u.id).outerjoin(
            _window,
            and_(
                _window.c.patient_id == _u.id,
                _window.c.local_date > days_before(_TODAY, _WINDOW_DAYS),
                _window.c.local_date <= _TODAY,
                _ENABLED,
            ),
        )
    )
    .where(_u.id == _PATIENT)
)


async def evaluate_after_checkin(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    today: date,
    timezone: str,
    questionnaire_id: uuid.UUID,
    questionnaire_version: int,
    defaults: RuleParams,
    now: datetime | None = None,
) -> tuple[RuleOutcome, BoosterRequestPublic | None]:
    """Run the rule inside the caller's transaction (no commit); open a request if it says so.

    The baseline is the mean of the first 7 check-ins on `questionnaire_id`, the version of
    the check-in just written. One statement reads the context and the window's scores.
    """
    now = now or utcnow()
    # On PostgreSQL straight on the driver, in the session's transaction (app/core/rawsql.py).
    rows = await rawsql.run(
        session,
        _CONTEXT,
        {
            "patient_id": patient_id,
            "questionnaire_id": questionnaire_id,
            "today": today,
            "default_window_days": defaults.window_days,
            "default_enabled": defaults.enabled,
        },
    )
    context = rows[0]
    params = defaults
    if context.window_days is not None:
        params = RuleParams(**{name: getattr(context, name) for name in _PARAM_FIELDS})
    scores: dict[date, float] = {}
    if params.enabled:
        scores = {row.scored_on: row.scored for row in rows if row.scored_on is not None}
    baseline = float(context.baseline) if context.baseline_n >= BASELINE_CHECKINS else None
    last_resolved: datetime | None = context.last_resolved_at
    outcome = evaluate(
        scores=scores,
        today=today,
        params=params,
        baseline=baseline,
        version=questionnaire_version,
        request_active=context.active_id is not None,
        last_resolved_on=to_local_date(last_resolved, timezone) if last_resolved else None,
    )
    if not outcome.opens:
        return outcome, None
    created = await insert_open_request(
        session,
        patient_id=patient_id,
        source="checkin_rule",
        reason=outcome.reason,
        actor_id=None,
        actor_role="system",
        now=now,
    )
    return outcome, created


async def params_for_patients(
    session: AsyncSession, *, patient_ids: Sequence[uuid.UUID], defaults: RuleParams
) -> dict[uuid.UUID, RuleParams]:
    """The rule parameters in force for many patients (their overrides, else the defaults)."""
    found = {pid: defaults for pid in patient_ids}
    if patient_ids:
        rows = await session.execute(
            select(_o.patient_id, *[_o[name] for name in _PARAM_FIELDS]).where(
                among(session, _o.patient_id, patient_ids)
            )
        )
        for row in rows:
            found[row.patient_id] = RuleParams(
                **{name: getattr(row, name) for name in _PARAM_FIELDS}
            )
    return found


async def read_rule(
    session: AsyncSession, *, scope: PatientScope, defaults: RuleParams
) -> BoosterRulePublic:
    """The parameters in force for this patient."""
    row = (
        await session.execute(
            select(*[_o[name] for name in _PARAM_FIELDS], _o.updated_at).where(
                _o.patient_id == scope.patient_id
            )
        )
    ).first()
    if row is None:
        return BoosterRulePublic(
            **{name: getattr(defaults, name) for name in _PARAM_FIELDS},
            overridden=False,
            updated_at=None,
        )
    return BoosterRulePublic(
        **{name: getattr(row, name) for name in _PARAM_FIELDS},
        overridden=True,
        updated_at=row.updated_at,
    )


async def write_rule(
    session: AsyncSession, *, scope: PatientScope, data: BoosterRuleParams
) -> BoosterRulePublic:
    """Set this patient's parameters (all of them; they replace the defaults)."""
    now = utcnow()
    values = data.model_dump()
    stmt = dialect_insert(session, booster_rule_table).values(
        patient_id=scope.patient_id, updated_by=scope.therapist_id, updated_at=now, **values
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["patient_id"],
        set_={**values, "updated_by": scope.therapist_id, "updated_at": now},
    )
    await session.execute(stmt)
    await session.commit()
    return BoosterRulePublic(**values, overridden=True, updated_at=now)
