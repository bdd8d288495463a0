"""Who may read which part of a patient's work-focused therapy, decided in one place per part.

`TherapyReader`: the barriers check and the communication plan are therapy (the therapist).
`WorkSideReader`: dialogue meetings and work goals are the work side, which a job counsellor
will also read once their link exists (issue 14): that is a change of this alias only.
`WorkSideWriter`: the therapist's writes to the work side (the same check today).
Both check access in `care.access` and log the read, through `LinkedPatient`.
"""

from __future__ import annotations

from app.care.deps import LinkedPatient

TherapyReader = LinkedPatient
WorkSideReader = LinkedPatient
WorkSideWriter = LinkedPatient
