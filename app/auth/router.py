"""/v1/auth/* and /v1/me/password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.accounts.schemas import PasswordChange, UserPublic
from app.auth import service
from app.auth.deps import CurrentUser
from app.auth.schemas import LoginForm, LogoutRequest, RefreshRequest, TokenPair
from app.care import service as care
from app.care.schemas import RegisterRequest
from app.core.deps import HasherDep, SessionDep, SettingsDep, TokensDep
from app.core.schemas import error_responses

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenPair, responses=error_responses(401))
async def token(
    form: Annotated[LoginForm, Depends()],
    session: SessionDep,
    hasher: HasherDep,
    tokens: TokensDep,
    settings: SettingsDep,
) -> TokenPair:
    """Log in with email and password (OAuth2 password form)."""
    return await service.login(
        session,
        hasher=hasher,
        tokens=tokens,
        settings=settings,
        email=form.username,
        password=form.password,
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
    body: LogoutRequest, user: CurrentUser, session: SessionDep, tokens: TokensDep
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
    response_model=UserPublic,
    responses=error_responses(400, 409),
)
async def register(body: RegisterRequest, session: SessionDep, hasher: HasherDep) -> UserPublic:
    """Create a patient account with a therapist's invitation code."""
    user = await care.register_patient(session, hasher=hasher, data=body)
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
