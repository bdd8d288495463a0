"""Request and response models of /v1/me/mfa."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from app.core.schemas import RequestModel
from app.core.security import PASSWORD_MAX

OTP_MAX = 32
# A 6-digit TOTP code or a recovery code (spaces and dashes are ignored).
OtpText = Annotated[str, StringConstraints(min_length=1, max_length=OTP_MAX)]


class TotpEnrolment(BaseModel):
    """The new secret, for an authenticator app (as text or as a QR code of the URI)."""

    secret: str
    otpauth_uri: str


class TotpConfirm(RequestModel):
    code: OtpText


class RecoveryCodes(BaseModel):
    """Shown once: only their hashes are kept."""

    recovery_codes: list[str]


class MfaDisable(RequestModel):
    password: Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX)]
    code: OtpText


class MfaStatus(BaseModel):
    enabled: bool
    confirmed_at: datetime | None
    recovery_codes_left: int
    # MESTRING_REQUIRE_MFA applies to this account (every staff role, when it is on).
    required: bool
