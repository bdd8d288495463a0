"""The console's routes, gathered: included by `create_app` beside the API's `/v1` router."""

from fastapi import APIRouter

from app.console.action_routes import router as action_router
from app.console.homework_routes import router as homework_router
from app.console.patient_routes import router as patient_router
from app.console.session_routes import router as session_router
from app.console.worklist_routes import router as worklist_router

console_router = APIRouter()
for part in (session_router, worklist_router, patient_router, homework_router, action_router):
    console_router.include_router(part)
