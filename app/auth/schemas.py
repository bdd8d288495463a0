"""Token request and response models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.core.schemas import RequestModel
from app.core.security import PASSWORD_MAX
from app.mfa.schemas import OTP_MAX

RefreshTokenText = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class RefreshRequest(RequestModel):
    refresh_token: RefreshTokenText


class LogoutRequest(RequestModel):
    refresh_token: RefreshTokenText | None = None


class LoginForm(BaseModel):
    """The OAuth2 password form (so Swagger's Authorize button works), with bounded fields."""

    username: Annotated[str, Field(min_length=1, max_length=320)]
    password: Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX)]
    grant_type: Annotated[str | None, Field(pattern="^password$", max_length=20)] = None
    scope: Annotated[str, Field(max_length=200)] = ""
    otp: Annotated[
        str | None,
        Field(
            max_length=OTP_MAX,
            description="Two-step login: the authenticator code or a recovery code, when on.",
        ),
    ] = None
