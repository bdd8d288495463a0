"""/v1/auth/* and /v1/me/password."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.accounts.schemas import PasswordChange, UserPublic
from app.auth import service
from app.auth.deps import CurrentUser, EnrollingUser, LoginFormDep
from app.auth.schemas import LogoutRequest, RefreshRequest, TokenPair
from app.care import service as care
from app.care.schemas import RegisterRequest
from app.core.deps import ClientAddress, HasherDep, SessionDep, SettingsDep, TokensDep
from app.core.schemas import error_responses
from app.idempotency.deps import IdempotentPublic
from app.throttle.deps import ThrottleDep
from app.throttle.service import Rule

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
) -> TokenPair:
    """Log in with email and password (OAuth2 password form), plus `otp` when two-step login is on.

    Staff with a confirmed factor get 401 `mfa_required` without `otp`, `invalid_otp` for a wrong
    one (counted as a failed login); only the right password reveals that.
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
    status_code=status.HTTP_201_CREATED,
    dependencies=[IdempotentPublic],
    response_model=UserPublic,
    responses=error_responses(400, 409, 429),
)
async def register(
    body: RegisterRequest,
    session: SessionDep,
    hasher: HasherDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    client_address: ClientAddress,
) -> UserPublic:
    """Create a patient account with a therapist's invitation code."""
    user = await care.register_patient(
        session,
        hasher=hasher,
        data=body,
        throttle=throttle,
        rule=Rule(
            "register-address",
            settings.registrations_per_address,
            settings.registration_window_seconds,
        ),
        client_address=client_address,
    )
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/me/password", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(400, 401)
)
async def change_password(
    body: PasswordChange, user: CurrentUser, session: SessionDep, hasher: HasherDep
) -> None:
    """Change the password; every other session is signed out."""
    await service.change_password(
        session,
        hasher=hasher,
        user_id=user.id,
        session_id=user.session_id,
        current_password=body.current_password,
        new_password=body.new_password,
    )
