"""Every work-focused therapy route, gathered for app/api.py."""

from fastapi import APIRouter

from app.workfocus.barrier_routes import router as barrier_router

router = APIRouter()
router.include_router(barrier_router)
