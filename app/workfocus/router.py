"""Every work-focused therapy route, gathered for app/api.py."""

from fastapi import APIRouter

from app.workfocus.barrier_routes import router as barrier_router
from app.workfocus.goal_routes import router as goal_router
from app.workfocus.meeting_routes import router as meeting_router
from app.workfocus.plan_routes import router as plan_router

router = APIRouter()
router.include_router(barrier_router)
router.include_router(plan_router)
router.include_router(meeting_router)
router.include_router(goal_router)
