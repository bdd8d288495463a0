"""At a glance: the patient's "today" and the therapist's worklist (reads only)."""
