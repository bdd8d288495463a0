"""Shared steps of the MFA tests: enrol a staff account, log in with or without a code."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2
import pyotp

from tests.factories import Actor, Api

# On a 30-second step boundary, so `shift(30)` moves exactly one TOTP step.
START = datetime(2026, 11, 23, 7, 0, 0, tzinfo=UTC)


def enrol(api: Api, actor: Actor) -> tuple[str, list[str]]:
    """Start and confirm a TOTP factor: (secret, recovery codes)."""
    started = api.client.post("/v1/me/mfa/totp", headers=actor.headers)
    assert started.status_code == 201, started.text
    secret: str = started.json()["secret"]
    confirmed = api.client.post(
        "/v1/me/mfa/totp/confirm",
        json={"code": pyotp.TOTP(secret).now()},
        headers=actor.headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    codes: list[str] = confirmed.json()["recovery_codes"]
    return secret, codes


def token(
    api: Api, actor: Actor, otp: str | None = None, password: str | None = None
) -> httpx2.Response:
    """POST /v1/auth/token with the actor's email, their (or another) password and `otp`."""
    data = {"username": actor.email, "password": password or actor.password}
    if otp is not None:
        data["otp"] = otp
    return api.client.post("/v1/auth/token", data=data)


def wrong_code(secret: str) -> str:
    """A 6-digit code valid in none of the steps the server accepts now."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(UTC))
    near = {totp.generate_otp(step + offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}
