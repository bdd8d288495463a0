"""/v1/auth/* and /v1/me/password."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.accounts.schemas import PasswordChange
from app.auth import service
from app.auth.deps import CurrentUser, EnrollingUser, LoginFormDep
from app.auth.password import change_password as change_password_service
from app.auth.schemas import LogoutRequest, RefreshRequest, TokenPair
from app.care import service as care
from app.care.schemas import RegisterRequest, RegistrationAccepted
from app.core.deps import (
    ClientAddress,
    HasherDep,
    SessionDep,
    SettingsDep,
    TokensDep,
    UserAgent,
)
from app.core.schemas import error_responses
from app.idempotency.deps import IdempotentPublic
from app.throttle.deps import RegistrationAttempt, ThrottleDep

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenPair, responses=error_responses(401, 429))
async def token(
    form: LoginFormDep,
    session: SessionDep,
    hasher: HasherDep,
    tokens: TokensDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    client_address: ClientAddress,
    user_agent: UserAgent,
) -> TokenPair:
    """Log in with email and password (OAuth2 password form), plus `otp` when two-step login is on.

    Staff with a confirmed factor get 401 `mfa_required` without `otp`, `invalid_otp` for a wrong
    one (counted as a failed login); only the right password reveals that. Failed attempts back
    off per account (429 `login_throttled` with Retry-After) and are limited per address.
    """
    return await service.login(
        session,
        hasher=hasher,
        tokens=tokens,
        settings=settings,
        throttle=throttle,
        email=form.username,
        password=form.password,
        otp=form.otp,
        client_address=client_address,
        user_agent=user_agent,
    )


@router.post("/auth/refresh", response_model=TokenPair, responses=error_responses(401))
async def refresh(
    body: RefreshRequest, session: SessionDep, tokens: TokensDep, settings: SettingsDep
) -> TokenPair:
    """Swap a refresh token for a new pair; the old one is spent."""
    return await service.refresh(
        session, tokens=tokens, settings=settings, refresh_token=body.refresh_token
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
async def logout(
    body: LogoutRequest, user: EnrollingUser, session: SessionDep, tokens: TokensDep
) -> None:
    """End this session: its tokens stop working at once."""
    await service.logout(
        session,
        tokens=tokens,
        user_id=user.id,
        session_id=user.session_id,
        refresh_token=body.refresh_token,
    )


@router.post(
    "/auth/register",
    status_code=status.HTTP_202_ACCEPTED,
    # The address throttle counts first, in its own commit; then the key is claimed.
    dependencies=[RegistrationAttempt, IdempotentPublic],
    response_model=RegistrationAccepted,
    responses=error_responses(400, 409, 429),
)
async def register(
    body: RegisterRequest, session: SessionDep, hasher: HasherDep, settings: SettingsDep
) -> RegistrationAccepted:
    """Create a patient account with a therapist's invitation code, then log in.

    The answer is the same 202 whether the email was free (the account is created and the code
    used) or already had an account (nothing happens and the code stays usable), so it tells no
    one which emails are registered. Only a code made out to that very email answers 409.
    """
    return await care.register_patient(
        session, hasher=hasher, data=body, secret_key=settings.resolved_secret_key()
    )


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(400, 401, 422, 429),
)
async def change_password(
    body: PasswordChange,
    user: CurrentUser,
    session: SessionDep,
    hasher: HasherDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
) -> None:
    """Change the password; every other session is signed out. Wrong current passwords back off
    per account (429 `password_throttled`)."""
    await change_password_service(
        session,
        hasher=hasher,
        settings=settings,
        throttle=throttle,
        user_id=user.id,
        session_id=user.session_id,
        current_password=body.current_password,
        new_password=body.new_password,
    )
