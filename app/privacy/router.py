"""/v1/me/consents, /v1/me/access-log, /v1/me/export and DELETE /v1/me (erasure)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import JSONResponse

from app.auth.deps import CurrentPatient
from app.care.deps import LinkedPatient
from app.core.deps import Cursor, HasherDep, Limit, SessionDep, SettingsDep
from app.core.schemas import ListResponse, error_responses
from app.privacy import service
from app.privacy.erasure import erase_account
from app.privacy.export import export_patient
from app.privacy.schemas import (
    AccessLogPublic,
    AccountErase,
    ConsentHistory,
    ConsentUpdate,
    ExportDocument,
)
from app.reports.fhir import MEDIA_TYPE as FHIR_JSON
from app.reports.fhir import fhir_bundle
from app.throttle.deps import ThrottleDep

router = APIRouter(tags=["privacy"])

# What the OpenAPI document says of the FHIR answer; the tests hold the bundle to FHIR R4 itself
# (every resource parsed by the fhir.resources library).
_FHIR_BUNDLE = {
    "description": "JSON (`ExportDocument`), or with `format=fhir` a FHIR R4 Bundle of type "
    "collection (application/fhir+json; docs/notes/issue-16-fhir.md)",
    "content": {FHIR_JSON: {"schema": {"$ref": "#/components/schemas/FhirBundle"}}},
}
ExportFormat = Annotated[
    Literal["json", "fhir"] | None,
    Query(description="json (the default), or fhir: a FHIR R4 Bundle (application/fhir+json)"),
]
FhirOnly = Annotated[Literal["fhir"], Query(description="fhir: a FHIR R4 Bundle")]


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


@router.get("/me/consents", response_model=ConsentHistory, responses=error_responses(401, 403))
async def read_consents(patient: CurrentPatient, session: SessionDep) -> ConsentHistory:
    """The employer-contact consent in force, with every earlier answer."""
    return await service.consent_history(session, patient_id=patient.id)


@router.put("/me/consents", response_model=ConsentHistory, responses=error_responses(401, 403))
async def update_consents(
    body: ConsentUpdate, patient: CurrentPatient, session: SessionDep
) -> ConsentHistory:
    """Say whether the clinic may contact the employer; the earlier answer is kept."""
    return await service.set_consent(session, patient_id=patient.id, data=body)


@router.get(
    "/me/access-log",
    response_model=ListResponse[AccessLogPublic],
    responses=error_responses(401, 403),
)
async def read_access_log(
    patient: CurrentPatient, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> ListResponse[AccessLogPublic]:
    """Who read my data, when and what, newest first."""
    items, next_cursor = await service.list_access(
        session, patient_id=patient.id, limit=limit, cursor=cursor
    )
    return ListResponse(data=items, count=len(items), next_cursor=next_cursor)


@router.get(
    "/me/export",
    response_model=ExportDocument,
    responses={**error_responses(401, 403), 200: _FHIR_BUNDLE},
)
async def export_me(
    patient: CurrentPatient,
    session: SessionDep,
    settings: SettingsDep,
    format: ExportFormat = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> ExportDocument | FhirResponse:
    """Every record about me, as one JSON document with a schema version and counts per kind;
    with `format=fhir` (or `Accept: application/fhir+json`) my check-ins, measures, work grades
    and plan as a FHIR R4 Bundle."""
    if format == "fhir" or (format is None and FHIR_JSON in (accept or "")):
        bundle = await fhir_bundle(
            session, patient_id=patient.id, base_url=settings.public_base_url
        )
        return FhirResponse(bundle)
    return await export_patient(
        session, patient_id=patient.id, session_max_days=settings.session_max_days
    )


@router.get(
    "/patients/{patient_id}/export",
    response_class=Response,  # no JSON body of its own: 200 is FHIR, errors are JSON
    responses={
        **error_responses(401, 403, 404),
        200: {**_FHIR_BUNDLE, "description": "A FHIR R4 Bundle of type collection"},
    },
)
async def export_patient_fhir(
    patient: LinkedPatient, session: SessionDep, settings: SettingsDep, format: FhirOnly = "fhir"
) -> FhirResponse:
    """A linked patient's check-ins, measures, work grades and plan as a FHIR R4 Bundle, for the
    clinic's record (therapist; the read is in the patient's access log)."""
    bundle = await fhir_bundle(
        session, patient_id=patient.patient_id, base_url=settings.public_base_url
    )
    return FhirResponse(bundle)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(400, 401, 403, 429),
    tags=["accounts"],
)
async def erase_me(
    body: AccountErase,
    patient: CurrentPatient,
    session: SessionDep,
    hasher: HasherDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
) -> None:
    """Erase my account and all my data for good (needs my password); I am signed out everywhere."""
    await erase_account(
        session,
        hasher=hasher,
        throttle=throttle,
        settings=settings,
        user_id=patient.id,
        password=body.password,
    )
