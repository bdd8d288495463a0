"""The /v1 router: every domain router is included here and nowhere else."""

from fastapi import APIRouter

from app.accounts.router import router as accounts_router
from app.auth.router import router as auth_router
from app.boosters.router import router as boosters_router
from app.care.router import router as care_router
from app.checkins.router import router as checkins_router
from app.dashboard.router import router as dashboard_router
from app.devices.router import router as devices_router
from app.exercises.router import router as exercises_router
from app.instruments.router import router as instruments_router
from app.jobsupport.records_router import router as jobsupport_records_router
from app.jobsupport.router import router as jobsupport_router
from app.measures.router import router as measures_router
from app.mfa.router import router as mfa_router
from app.privacy.router import router as privacy_router
from app.reminders.router import router as reminders_router
from app.reports.router import router as reports_router
from app.sync.router import router as sync_router
from app.work.router import router as work_router
from app.workfocus.router import router as workfocus_router

api_router = APIRouter(prefix="/v1")
api_router.include_router(auth_router)
api_router.include_router(accounts_router)
api_router.include_router(care_router)
api_router.include_router(mfa_router)
api_router.include_router(privacy_router)
api_router.include_router(work_router)
api_router.include_router(jobsupport_router)
api_router.include_router(jobsupport_records_router)
api_router.include_router(exercises_router)
api_router.include_router(checkins_router)
api_router.include_router(boosters_router)
api_router.include_router(dashboard_router)
# After checkins and workfocus: /questionnaires/rtw-se and /questionnaires/barriers are
# matched before /questionnaires/{measure}.
api_router.include_router(workfocus_router)
api_router.include_router(instruments_router)
api_router.include_router(measures_router)
api_router.include_router(reports_router)
api_router.include_router(reminders_router)
api_router.include_router(devices_router)
api_router.include_router(sync_router)
