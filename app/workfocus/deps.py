"""Who may read which part of a patient's work-focused therapy, decided in one place per part.

`TherapyWriter`: the therapist's suggestion to the communication plan (therapy).
`WorkSideReader`: the therapist's and the linked job counsellor's reads of the work side --
work goals, dialogue meetings, the barriers check (a counsellor sees its workplace domain
only) and the communication plan (a counsellor only while the patient shares it); what a
counsellor sees of a record is decided by `care.access.counsellor_reads` and
`care.access.ensure_shared_with_counsellor` (issue 14).
`WorkSideWriter`: the therapist's writes to the work side (a counsellor gets 403).
Each checks access in `care.access` and logs the read (with the reader's role and ground).
"""

from __future__ import annotations

from app.care.deps import LinkedPatient, WorkSidePatient

TherapyWriter = LinkedPatient
WorkSideReader = WorkSidePatient
WorkSideWriter = LinkedPatient
