"""Labels the pages show for the API's names (flags, kinds, statuses), marked for the catalogues."""

from __future__ import annotations

from app.console.i18n import N_

FLAG_LABELS: dict[str, str] = {
    "risk": N_("Risk alert"),
    "workplace_conflict": N_("Conflict at work"),
    "no_checkin_7d": N_("No check-in for 7 days"),
    "no_checkin_3d": N_("No check-in for 3 days"),
    "low_rtw_se": N_("Low RTW-SE"),
    "measure_overdue": N_("Measure overdue"),
    "low_adherence": N_("Low adherence"),
    "booster_open": N_("Booster request open"),
    "follow_up_due": N_("Follow-up due"),
    "joint_meeting_due": N_("Joint meeting due"),
    "dialogue_meeting_soon": N_("Dialogue meeting soon"),
    "review_due": N_("Plan review due"),
    "status_check_due": N_("Status check due"),
}
SORT_LABELS: dict[str, str] = {
    "flags": N_("Most urgent first"),
    "name": N_("Name"),
    "last_checkin": N_("Last check-in"),
}
KIND_LABELS: dict[str, str] = {
    "worry_postponement": N_("Worry postponement"),
    "rumination_postponement": N_("Rumination postponement"),
    "attention_training": N_("Attention training (ATT)"),
    "detached_mindfulness": N_("Detached mindfulness"),
    "attentional_refocusing": N_("Situational attentional refocusing"),
}
STATUS_LABELS: dict[str, str] = {
    "open": N_("Open"),
    "scheduled": N_("Scheduled"),
    "declined": N_("Declined"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "active": N_("Active"),
    "paused": N_("Paused"),
    "ended": N_("Ended"),
    "pending": N_("Pending"),
    "answered": N_("Answered"),
    "used": N_("Used"),
    "expired": N_("Expired"),
    "revoked": N_("Revoked"),
}
