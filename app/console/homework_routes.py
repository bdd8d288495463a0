"""Assign and change homework: the API's exercise service, its validation and its checks."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from app.care import service as care
from app.console.labels import KIND_LABELS, N_
from app.console.pages import (
    ConsoleRoute,
    ConsoleTherapist,
    error_page,
    form_of,
    redirect,
    render,
)
from app.console.patient_data import linked
from app.core.deps import SessionDep, SettingsDep
from app.core.errors import AppError
from app.exercises import service as exercises
from app.exercises.schemas import AssignmentCreate, AssignmentUpdate

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

FIELD_LABELS = {
    "exercise_kind": N_("Exercise"),
    "times_per_day": N_("Times per day"),
    "times_per_week": N_("Times per week"),
    "starts_on": N_("Starts on"),
    "ends_on": N_("Ends on"),
    "worry_time": N_("Worry time"),
    "instructions": N_("Instructions"),
}
NUMBER_FIELDS = ("times_per_day", "times_per_week")
CREATE_FIELDS = tuple(FIELD_LABELS)


class FormError(Exception):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def _payload(fields: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    """The form's non-empty fields as the API's JSON body would carry them."""
    payload: dict[str, Any] = {}
    bad: list[str] = []
    for name in names:
        raw = fields.get(name, "").strip()
        if not raw:
            continue
        if name in NUMBER_FIELDS:
            try:
                payload[name] = int(raw)
            except ValueError:
                bad.append(name)
        else:
            payload[name] = raw
    if bad:
        raise FormError(bad)
    return payload


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], payload: dict[str, Any]) -> M:
    try:
        return model.model_validate_json(json.dumps(payload))
    except ValidationError as exc:
        names = [str(e["loc"][0]) for e in exc.errors() if e["loc"]] or ["exercise_kind"]
        raise FormError(list(dict.fromkeys(names))) from exc


@router.get("/patients/{patient_id}/assignments/new")
async def new_assignment(
    patient_id: uuid.UUID, request: Request, user: ConsoleTherapist, session: SessionDep
) -> Response:
    scope = await linked(request, session, user, patient_id, ("profile",))
    profile = await care.patient_profile(session, scope=scope)
    return _form_page(request, user, profile, {}, None)


def _form_page(
    request: Request,
    user: ConsoleTherapist,
    profile: Any,
    values: dict[str, str],
    problems: list[str] | None,
    message: str | None = None,
) -> Response:
    return render(
        request,
        "assignment_form.html",
        locale=user.locale,
        status=422 if problems is not None else 200,
        user=user,
        patient=profile,
        values=values,
        problems=problems,
        message=message,
        kinds=KIND_LABELS,
        field_labels=FIELD_LABELS,
    )


@router.post("/patients/{patient_id}/assignments")
async def create_assignment(
    patient_id: uuid.UUID,
    request: Request,
    user: ConsoleTherapist,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    fields = await form_of(request, user, settings)
    scope = await linked(request, session, user, patient_id, ("profile",))
    try:
        data = _validated(AssignmentCreate, _payload(fields, CREATE_FIELDS))
        await exercises.create_assignment(session, scope=scope, data=data)
    except FormError as exc:
        await session.rollback()
        profile = await care.patient_profile(session, scope=scope)
        return _form_page(request, user, profile, fields, exc.fields)
    except AppError as exc:
        await session.rollback()
        if exc.status_code == 404:
            raise
        profile = await care.patient_profile(session, scope=scope)
        return _form_page(request, user, profile, fields, [], exc.detail)
    return redirect(f"/console/patients/{patient_id}#homework")


def _change(action: str, fields: dict[str, str], timezone: str) -> AssignmentUpdate:
    if action == "pause":
        return AssignmentUpdate(paused=True)
    if action == "resume":
        return AssignmentUpdate(paused=False)
    if action == "end":
        today = datetime.now(ZoneInfo(timezone)).date().isoformat()
        return _validated(AssignmentUpdate, {"ends_on": today})
    if action == "dose":
        return _validated(AssignmentUpdate, _payload(fields, NUMBER_FIELDS))
    raise FormError(["action"])


@router.post("/assignments/{assignment_id}")
async def change_assignment(
    assignment_id: uuid.UUID,
    request: Request,
    user: ConsoleTherapist,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Pause, resume, end (today, in the therapist's zone) or change the dose."""
    fields = await form_of(request, user, settings)
    try:
        data = _change(fields.get("action", ""), fields, user.principal.timezone)
    except FormError:
        return error_page(request, 422, N_("Give a whole number of times for the new dose."))
    changed = await exercises.update_assignment(
        session, therapist_id=user.id, assignment_id=assignment_id, data=data
    )
    return redirect(f"/console/patients/{changed.patient_id}#homework")
