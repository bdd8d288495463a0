"""POST /console/booster-requests/{id} (schedule, decline, complete) and the invitations page:
the API's services, with their checks (404 for another therapist's patient, 409 for a move the
request's state does not allow, shown as an error page)."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from app.boosters import followup_answers
from app.boosters import transitions as boosters
from app.boosters.schemas import BoosterRequestUpdate, FollowUpContactAnswer
from app.care import service as care
from app.care.schemas import InvitationCreate
from app.console.labels import N_
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

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
MOVES = {"schedule": "scheduled", "decline": "declined", "complete": "completed"}
INVITATIONS_SHOWN = 20


def _local_moment(text: str, timezone: str) -> datetime | None:
    """`YYYY-MM-DDTHH:MM` (a datetime-local field) in the therapist's zone, as an aware time."""
    try:
        naive = datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return naive.replace(tzinfo=ZoneInfo(timezone))


@router.post("/booster-requests/{request_id}")
async def move_booster_request(
    request_id: uuid.UUID,
    request: Request,
    user: ConsoleTherapist,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    fields = await form_of(request, user, settings)
    target = MOVES.get(fields.get("action", ""))
    if target is None:
        return error_page(request, 422, N_("The request is not valid."))
    scheduled_for = None
    if target == "scheduled":
        scheduled_for = _local_moment(fields.get("scheduled_for", ""), user.principal.timezone)
        if scheduled_for is None:
            return error_page(request, 422, N_("Give the date and time of the session."))
    response = fields.get("response", "").strip() or None
    try:
        data = BoosterRequestUpdate(
            status=target,  # type: ignore[arg-type]
            scheduled_for=scheduled_for,
            response=response if target == "declined" else None,
        )
    except ValidationError:
        if target == "scheduled":  # a time outside the years 2000-2099
            return error_page(request, 422, N_("Give the date and time of the session."))
        return error_page(request, 422, N_("Write an answer to the patient when declining."))
    moved = await boosters.update_request(
        session, therapist_id=user.id, request_id=request_id, data=data
    )
    return redirect(f"/console/patients/{moved.patient_id}#boosters")


@router.post("/patients/{patient_id}/follow-ups/{follow_up_id}/answer")
async def record_follow_up_answer(
    patient_id: uuid.UUID,
    follow_up_id: uuid.UUID,
    request: Request,
    user: ConsoleTherapist,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The answer a patient gave by phone, in a meeting or by message (the API's service: the
    same rules; `needs_booster` opens a request or links the active one)."""
    fields = await form_of(request, user, settings)
    answers = {"yes": True, "no": False}
    try:
        data = FollowUpContactAnswer(
            still_working=answers[fields.get("still_working", "")],
            needs_booster=answers[fields.get("needs_booster", "")],
            contacted_by=fields.get("contacted_by", ""),  # type: ignore[arg-type]
            note=fields.get("note", "").strip() or None,
        )
    except (KeyError, ValidationError):
        return error_page(request, 422, N_("Answer both questions and say how you asked."))
    scope = await linked(request, session, user, patient_id, ())
    await followup_answers.answer_for_patient(
        session, scope=scope, follow_up_id=follow_up_id, data=data
    )
    return redirect(f"/console/patients/{patient_id}#follow-ups")


@router.get("/invitations")
async def invitations(request: Request, user: ConsoleTherapist, session: SessionDep) -> Response:
    items, _next = await care.list_invitations(
        session, therapist_id=user.id, limit=INVITATIONS_SHOWN, cursor=None
    )
    return render(
        request, "invitations.html", locale=user.locale, user=user, items=items, created=None
    )


@router.post("/invitations")
async def create_invitation(
    request: Request, user: ConsoleTherapist, session: SessionDep, settings: SettingsDep
) -> Response:
    """A single-use code, shown on this page only (a reload does not create another: the
    browser asks before posting again, and the code is never stored in the clear)."""
    fields = await form_of(request, user, settings)
    email = fields.get("email", "").strip() or None
    try:
        data = InvitationCreate.model_validate({"email": email})
    except ValidationError:
        items, _next = await care.list_invitations(
            session, therapist_id=user.id, limit=INVITATIONS_SHOWN, cursor=None
        )
        return render(
            request,
            "invitations.html",
            locale=user.locale,
            status=422,
            user=user,
            items=items,
            created=None,
            error=N_("The email address is not valid."),
            email=email,
        )
    created = await care.create_invitation(
        session,
        therapist_id=user.id,
        data=data,
        default_days=settings.invitation_days,
        secret_key=settings.resolved_secret_key(),
    )
    items, _next = await care.list_invitations(
        session, therapist_id=user.id, limit=INVITATIONS_SHOWN, cursor=None
    )
    return render(
        request, "invitations.html", locale=user.locale, user=user, items=items, created=created
    )
