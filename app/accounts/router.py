"""/v1/me and the admin's account endpoints."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from app.accounts import service
from app.accounts.models import Role
from app.accounts.schemas import (
    AdminUserPublic,
    AdminUserUpdate,
    OnCallUpdate,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from app.auth.deps import CurrentAdmin, CurrentUser, EnrollingUser
from app.core.deps import Cursor, HasherDep, Limit, SessionDep
from app.core.location import LOCATION
from app.core.schemas import ListResponse, error_responses
from app.idempotency.deps import IdempotencyGuard

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=UserPublic, responses=error_responses(401))
async def read_me(user: EnrollingUser, session: SessionDep) -> UserPublic:
    """The caller's own account."""
    found = await service.get_user(session, user_id=user.id)
    return UserPublic.model_validate(found, from_attributes=True)


@router.patch("/me", response_model=UserPublic, responses=error_responses(401))
async def update_me(body: UserUpdate, user: CurrentUser, session: SessionDep) -> UserPublic:
    """Change display name, time zone or locale."""
    updated = await service.update_profile(session, user_id=user.id, changes=body)
    return UserPublic.model_validate(updated, from_attributes=True)


@router.post(
    "/admin/therapists",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={LOCATION: "/v1/admin/users/{id}"},
    response_model=UserPublic,
    responses=error_responses(401, 403, 409),
    tags=["admin"],
)
async def create_therapist(
    body: UserCreate,
    _admin: CurrentAdmin,
    _key: IdempotencyGuard,
    session: SessionDep,
    hasher: HasherDep,
) -> UserPublic:
    """Create a therapist account."""
    user = await service.create_user(session, hasher=hasher, data=body, role=Role.therapist)
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/admin/job-counsellors",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses=error_responses(401, 403, 409),
    tags=["admin"],
)
async def create_job_counsellor(
    body: UserCreate,
    _admin: CurrentAdmin,
    _key: IdempotencyGuard,
    session: SessionDep,
    hasher: HasherDep,
) -> UserPublic:
    """Create a job counsellor account (staff: the same password and two-step login rules as a
    therapist). A counsellor sees a patient's work side only once the patient accepts them."""
    user = await service.create_user(session, hasher=hasher, data=body, role=Role.job_counsellor)
    return UserPublic.model_validate(user, from_attributes=True)


@router.get(
    "/admin/users",
    response_model=ListResponse[AdminUserPublic],
    responses=error_responses(401, 403),
    tags=["admin"],
)
async def list_users(
    _admin: CurrentAdmin,
    session: SessionDep,
    role: Role | None = None,
    email: Annotated[str | None, Query(max_length=320, description="Email prefix.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ListResponse[AdminUserPublic]:
    """Accounts, by email; filter by role or email prefix."""
    users, next_cursor = await service.list_users(
        session, role=role, email_prefix=email, limit=limit, cursor=cursor
    )
    data = [AdminUserPublic.model_validate(user, from_attributes=True) for user in users]
    return ListResponse(data=data, count=len(data), next_cursor=next_cursor)


@router.patch(
    "/admin/users/{user_id}",
    response_model=AdminUserPublic,
    responses=error_responses(401, 403, 404, 409),
    tags=["admin"],
)
async def update_user(
    user_id: uuid.UUID, body: AdminUserUpdate, admin: CurrentAdmin, session: SessionDep
) -> AdminUserPublic:
    """Disable or re-enable an account. Disabling revokes every session for good (re-enabling
    does not bring them back); 409 `cannot_disable_self` for one's own account, `last_admin`
    for the last active admin."""
    user = await service.set_disabled(
        session, admin_id=admin.id, user_id=user_id, disabled=body.disabled
    )
    return AdminUserPublic.model_validate(user, from_attributes=True)


@router.put(
    "/admin/users/{user_id}/on-call",
    response_model=AdminUserPublic,
    responses=error_responses(401, 403, 404),
    tags=["admin"],
)
async def set_on_call(
    user_id: uuid.UUID, body: OnCallUpdate, _admin: CurrentAdmin, session: SessionDep
) -> AdminUserPublic:
    """Put a therapist on call or take them off: on call, they see every risk alert of the
    clinic that no one acknowledged in time (and only those), each read logged."""
    user = await service.set_on_call(session, user_id=user_id, on_call=body.on_call)
    return AdminUserPublic.model_validate(user, from_attributes=True)
