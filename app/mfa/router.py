"""/v1/me/mfa: a therapist's or admin's TOTP factor (open to them while enrolment is required)."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.deps import EnrollingStaff
from app.core.deps import HasherDep, SessionDep, SettingsDep
from app.core.schemas import error_responses
from app.idempotency.deps import UnstoredIdempotencyKey
from app.mfa import service
from app.mfa.schemas import MfaDisable, MfaStatus, RecoveryCodes, TotpConfirm, TotpEnrolment
from app.throttle.deps import ThrottleDep

router = APIRouter(prefix="/me/mfa", tags=["mfa"])


@router.get("", response_model=MfaStatus, responses=error_responses(401, 403))
async def read_status(
    user: EnrollingStaff, session: SessionDep, settings: SettingsDep
) -> MfaStatus:
    """Whether two-step login is on, and how many recovery codes are left."""
    return await service.status(session, settings=settings, user_id=user.id, role=user.role)


@router.post(
    "/totp",
    status_code=status.HTTP_201_CREATED,
    response_model=TotpEnrolment,
    responses=error_responses(401, 403, 409),
)
async def start_totp(
    user: EnrollingStaff, _key: UnstoredIdempotencyKey, session: SessionDep, settings: SettingsDep
) -> TotpEnrolment:
    """Start (or restart) setting up an authenticator app; confirm with a first code.

    The answer holds the secret, so it is never stored for an Idempotency-Key: a retry starts
    over with a new secret (replacing the unconfirmed one), and after confirmation answers 409.
    """
    return await service.start_enrolment(session, settings=settings, user_id=user.id)


@router.post(
    "/totp/confirm", response_model=RecoveryCodes, responses=error_responses(400, 401, 403, 409)
)
async def confirm_totp(
    body: TotpConfirm, user: EnrollingStaff, session: SessionDep, settings: SettingsDep
) -> RecoveryCodes:
    """Turn two-step login on with a code from the app; the recovery codes are shown only now."""
    return await service.confirm_enrolment(
        session, settings=settings, user_id=user.id, session_id=user.session_id, code=body.code
    )


@router.delete(
    "/totp",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(400, 401, 403, 409, 429),
)
async def disable_totp(
    body: MfaDisable,
    user: EnrollingStaff,
    session: SessionDep,
    settings: SettingsDep,
    hasher: HasherDep,
    throttle: ThrottleDep,
) -> None:
    """Turn two-step login off with the password and a code (from the app or a recovery code)."""
    await service.disable(
        session,
        settings=settings,
        hasher=hasher,
        throttle=throttle,
        user_id=user.id,
        password=body.password,
        code=body.code,
    )
