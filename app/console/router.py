"""The console's routes, gathered: included by `create_app` beside the API's `/v1` router."""

from fastapi import APIRouter

from app.console.session_routes import router as session_router
from app.console.worklist_routes import router as worklist_router

console_router = APIRouter()
console_router.include_router(session_router)
console_router.include_router(worklist_router)
