"""The work domain's service functions, for routers and for other domains (today, worklist)."""

from app.work.diary import (
    DiaryDay,
    diary_done_on,
    list_entries,
    list_entries_for_therapist,
    put_entry,
)
from app.work.plan import full_return_on, get_plan, load_plans, read_plan, save_plan
from app.work.summary import (
    WorkGlance,
    work_at_a_glance,
    work_summary,
    work_summary_for_therapist,
)

__all__ = [
    "DiaryDay",
    "WorkGlance",
    "diary_done_on",
    "full_return_on",
    "get_plan",
    "list_entries",
    "list_entries_for_therapist",
    "load_plans",
    "put_entry",
    "read_plan",
    "save_plan",
    "work_at_a_glance",
    "work_summary",
    "work_summary_for_therapist",
]
