"""Labels the pages show for the API's names (flags, kinds, statuses), marked for the catalogues."""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the customary gettext marker
    """Marks a message for the catalogues; it is translated where it is shown."""
    return message


YES = N_("yes")
NO = N_("no")

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
BAND_LABELS: dict[str, str] = {
    "low": N_("low"),
    "moderate": N_("moderate"),
    "high": N_("high"),
    "minimal": N_("minimal"),
    "mild": N_("mild"),
    "moderately_severe": N_("moderately severe"),
    "severe": N_("severe"),
}
CONTACT_LABELS: dict[str, str] = {
    "phone": N_("by phone"),
    "meeting": N_("in a meeting"),
    "message": N_("by message"),
    "app": N_("in the app"),
}
# What every template sees.
ALL: dict[str, Any] = {
    "flag_labels": FLAG_LABELS,
    "sort_labels": SORT_LABELS,
    "kind_labels": KIND_LABELS,
    "status_labels": STATUS_LABELS,
    "band_labels": BAND_LABELS,
    "contact_labels": CONTACT_LABELS,
}
