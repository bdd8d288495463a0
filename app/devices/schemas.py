"""Request and response models of /v1/me/devices and /v1/push/vapid-key."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from app.core.schemas import Id, RequestModel
from app.devices.models import MAX_ADDRESS_LENGTH
from app.devices.vapid import b64url_decode

Platform = Literal["web", "android", "ios"]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
_B64URL = r"^[A-Za-z0-9_-]+={0,2}$"
P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04 || X || Y (RFC 8291 section 3.1)
AUTH_BYTES = 16  # the authentication secret (RFC 8291 section 3.2)


def _p256dh(value: str) -> str:
    raw = b64url_decode(value)
    if len(raw) != P256DH_BYTES or raw[0] != 4:
        raise ValueError("p256dh must be an uncompressed P-256 point (65 bytes, base64url)")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise ValueError("p256dh is not a point on the P-256 curve") from None
    return value


def _auth(value: str) -> str:
    if len(b64url_decode(value)) != AUTH_BYTES:
        raise ValueError("auth must be 16 bytes, base64url")
    return value


def _endpoint(value: str) -> str:
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018  (a port that is no number raises here)
    except ValueError:
        raise ValueError("endpoint is not a URL") from None
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.fragment:
        raise ValueError("endpoint must be an https URL with a host, no credentials, no fragment")
    return value


class WebPushKeys(RequestModel):
    p256dh: Annotated[
        str,
        StringConstraints(min_length=87, max_length=88, pattern=_B64URL),
        AfterValidator(_p256dh),
    ]
    auth: Annotated[
        str, StringConstraints(min_length=22, max_length=24, pattern=_B64URL), AfterValidator(_auth)
    ]


class WebPushIn(RequestModel):
    """A browser's PushSubscription, as `subscription.toJSON()` gives it."""

    endpoint: Annotated[
        str,
        StringConstraints(min_length=10, max_length=MAX_ADDRESS_LENGTH, pattern=r"^https?://\S+$"),
        AfterValidator(_endpoint),
    ]
    keys: WebPushKeys
    # Part of `toJSON()`; not kept: an expired subscription answers 404/410 and is dropped then.
    expiration_time: int | None = Field(default=None, alias="expirationTime")


class FcmPushIn(RequestModel):
    """A Firebase Cloud Messaging registration token (Android, or iOS through FCM)."""

    token: Annotated[
        str,
        StringConstraints(min_length=1, max_length=MAX_ADDRESS_LENGTH, pattern=r"^[\x21-\x7e]+$"),
    ]


class DeviceIn(RequestModel):
    """Register this app install, or update it (same `id` again: new subscription or label)."""

    id: Id
    platform: Platform
    push: WebPushIn | FcmPushIn
    label: Label | None = None

    @model_validator(mode="after")
    def _push_fits_platform(self) -> DeviceIn:
        if (self.platform == "web") != isinstance(self.push, WebPushIn):
            raise ValueError(
                "push must be a Web Push subscription for platform web, an FCM token otherwise"
            )
        return self


class WebPushPublic(BaseModel):
    endpoint: str


class FcmPushPublic(BaseModel):
    token: str


class DevicePublic(BaseModel):
    """A registered device; the subscription's keys are never sent back."""

    id: uuid.UUID
    platform: Platform
    push: WebPushPublic | FcmPushPublic
    label: str | None
    created_at: datetime
    updated_at: datetime
    last_delivered_at: datetime | None


class VapidKey(BaseModel):
    """The server's VAPID public key, for `pushManager.subscribe({applicationServerKey})`."""

    public_key: str
