"""/v1/me/devices (the patient's push devices) and /v1/push/vapid-key (public)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.auth.deps import CurrentPatient
from app.core.deps import SessionDep, SettingsDep
from app.core.errors import NotFound
from app.core.schemas import Id, ListResponse, error_responses
from app.devices import service
from app.devices.schemas import DeviceIn, DevicePublic, VapidKey
from app.devices.vapid import public_key_of
from app.idempotency.deps import IdempotencyGuard

router = APIRouter(tags=["devices"])


@router.post(
    "/me/devices",
    status_code=status.HTTP_200_OK,
    response_model=DevicePublic,
    responses={
        201: {"model": DevicePublic, "description": "Created"},
        **error_responses(401, 403, 409),
    },
)
async def register_device(
    body: DeviceIn,
    patient: CurrentPatient,
    _key: IdempotencyGuard,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> DevicePublic:
    """Register this app install for push messages: 201 when new, 200 when the same `id` was
    registered before (its subscription or token and label are replaced). A Web Push endpoint
    must be on a known push service (422 `push_endpoint_not_allowed`); an id that another
    account registered answers 409 `device_id_in_use`. At most 10 devices are kept: a new one
    replaces the one registered (or re-registered) longest ago, so register at every app start."""
    device, created = await service.register(
        session, settings=settings, patient_id=patient.id, data=body
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
    return device


@router.get(
    "/me/devices", response_model=ListResponse[DevicePublic], responses=error_responses(401, 403)
)
async def list_devices(patient: CurrentPatient, session: SessionDep) -> ListResponse[DevicePublic]:
    """My registered devices, oldest first (without the subscriptions' keys)."""
    items = await service.list_devices(session, patient_id=patient.id)
    return ListResponse(data=items, count=len(items))


@router.delete(
    "/me/devices/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
)
async def delete_device(device_id: Id, patient: CurrentPatient, session: SessionDep) -> None:
    """Stop push messages to a device (on sign-out, or notifications turned off)."""
    await service.remove(session, patient_id=patient.id, device_id=device_id)


@router.get("/push/vapid-key", response_model=VapidKey, responses=error_responses(404))
async def read_vapid_key(settings: SettingsDep) -> VapidKey:
    """The server's VAPID public key, the `applicationServerKey` a browser subscribes with
    (no sign-in needed: it is public); 404 `webpush_not_configured` when Web Push is off."""
    if not settings.vapid_private_key or not settings.vapid_subject:
        raise NotFound("Web Push is not configured on this server.", code="webpush_not_configured")
    return VapidKey(public_key=public_key_of(settings.vapid_private_key))
