"""The five MCT exercise kinds and the bounds of what a log of each may hold.

The numbers live here once: the request schemas validate with them and the catalogue tells the
app about them, so the two cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum


class ExerciseKind(StrEnum):
    worry_postponement = "worry_postponement"
    # MCT for depression: the same experiment with brooding (rumination) instead of worry.
    rumination_postponement = "rumination_postponement"
    attention_training = "attention_training"
    detached_mindfulness = "detached_mindfulness"
    attentional_refocusing = "attentional_refocusing"


KIND_VALUES = tuple(kind.value for kind in ExerciseKind)
# Kinds that postpone a thought process to a daily slot (`worry_time`, HH:MM).
POSTPONEMENT_KINDS = frozenset(
    {ExerciseKind.worry_postponement, ExerciseKind.rumination_postponement}
)
ATT_PHASES = ("selective", "switching", "divided")

MAX_DURATION_SECONDS = 4 * 60 * 60
MAX_WORRIES = 200
MAX_WORRY_TIME_MINUTES = 120
PERCENT_MIN, PERCENT_MAX = 0, 100
SELF_FOCUS_MIN, SELF_FOCUS_MAX = -3, 3
SAR_TEXT_MAX = 500
# How far the phone's clock may run ahead of ours, and how old a log may be when it syncs.
CLOCK_SKEW_SECONDS = 300
MAX_LOG_AGE_DAYS = 30

MAX_TIMES_PER_DAY = 6
MAX_TIMES_PER_WEEK = 21
INSTRUCTIONS_MAX = 2000
# A therapist may date a start, a dose change, a pause or an end this many days back (the
# session where it was agreed); adherence already shown for older days never changes.
BACKDATE_DAYS = 14

# name -> (type, minimum, maximum); bounds of text fields are lengths.
_POSTPONEMENT_FIELDS: dict[str, tuple[str, int | None, int | None]] = {
    "worries_noticed": ("integer", 0, MAX_WORRIES),
    "worries_postponed": ("integer", 0, MAX_WORRIES),
    "worry_time_used": ("boolean", None, None),
    "worry_time_minutes": ("integer", 0, MAX_WORRY_TIME_MINUTES),
    "uncontrollability_before": ("integer", PERCENT_MIN, PERCENT_MAX),
    "uncontrollability_after": ("integer", PERCENT_MIN, PERCENT_MAX),
}
LOG_FIELDS: dict[ExerciseKind, dict[str, tuple[str, int | None, int | None]]] = {
    ExerciseKind.worry_postponement: _POSTPONEMENT_FIELDS,
    ExerciseKind.rumination_postponement: _POSTPONEMENT_FIELDS,
    ExerciseKind.attention_training: {
        "phases_completed": ("phases", 0, len(ATT_PHASES)),
        "self_focus_before": ("integer", SELF_FOCUS_MIN, SELF_FOCUS_MAX),
        "self_focus_after": ("integer", SELF_FOCUS_MIN, SELF_FOCUS_MAX),
    },
    ExerciseKind.detached_mindfulness: {
        "detachment_before": ("integer", PERCENT_MIN, PERCENT_MAX),
        "detachment_after": ("integer", PERCENT_MIN, PERCENT_MAX),
    },
    ExerciseKind.attentional_refocusing: {
        "situation": ("text", 1, SAR_TEXT_MAX),
        "refocused_to": ("text", 1, SAR_TEXT_MAX),
    },
}
