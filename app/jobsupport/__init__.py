"""Job support (individual placement and support): the job counsellor beside the therapist,
employment records, monthly joint meetings and employer contacts under the patient's consent."""
